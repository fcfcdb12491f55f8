package io.github.flinkduckdb.schema;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A DuckDB table name: {@code table}, {@code schema.table} or {@code catalog.schema.table}. Parts
 * may be double-quoted to contain dots or quotes ({@code "my.table"}); DuckDB matches names
 * case-insensitively.
 */
@PublicEvolving
public final class TableIdentifier implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String catalog;
    private final String schema;
    private final String table;

    public TableIdentifier(String catalog, String schema, String table) {
        if (table == null || table.isEmpty()) {
            throw new IllegalArgumentException("The table name must not be empty");
        }
        if (catalog != null && schema == null) {
            throw new IllegalArgumentException("A catalog needs a schema: catalog.schema.table");
        }
        this.catalog = emptyToNull(catalog);
        this.schema = emptyToNull(schema);
        this.table = table;
    }

    /**
     * Parses a dotted name. Unquoted parts are taken as written; quoted parts may contain dots and
     * doubled quotes.
     *
     * @throws IllegalArgumentException naming the input when it is not a valid name
     */
    public static TableIdentifier parse(String name) {
        if (name == null || name.trim().isEmpty()) {
            throw new IllegalArgumentException("The table name must not be empty");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        String text = name.trim();
        int i = 0;
        boolean partStarted = false;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                if (partStarted) {
                    throw invalid(name, "a quote may only open a part");
                }
                int end = i + 1;
                while (true) {
                    if (end >= text.length()) {
                        throw invalid(name, "unterminated quote");
                    }
                    if (text.charAt(end) == '"') {
                        if (end + 1 < text.length() && text.charAt(end + 1) == '"') {
                            current.append('"');
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    current.append(text.charAt(end));
                    end++;
                }
                i = end + 1;
                partStarted = true;
                if (i < text.length() && text.charAt(i) != '.') {
                    throw invalid(name, "expected '.' after a quoted part");
                }
            } else if (c == '.') {
                parts.add(finishPart(name, current));
                current.setLength(0);
                partStarted = false;
                i++;
            } else {
                current.append(c);
                partStarted = true;
                i++;
            }
        }
        parts.add(finishPart(name, current));
        switch (parts.size()) {
            case 1:
                return new TableIdentifier(null, null, parts.get(0));
            case 2:
                return new TableIdentifier(null, parts.get(0), parts.get(1));
            case 3:
                return new TableIdentifier(parts.get(0), parts.get(1), parts.get(2));
            default:
                throw invalid(name, "use table, schema.table or catalog.schema.table");
        }
    }

    private static String finishPart(String name, StringBuilder part) {
        String value = part.toString();
        if (value.trim().isEmpty()) {
            throw invalid(name, "empty part");
        }
        return value;
    }

    private static IllegalArgumentException invalid(String name, String why) {
        return new IllegalArgumentException(
                "Invalid table name '" + name + "': " + why + " (quote parts with \")");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public Optional<String> catalog() {
        return Optional.ofNullable(catalog);
    }

    public Optional<String> schema() {
        return Optional.ofNullable(schema);
    }

    public String table() {
        return table;
    }

    /** The same table with catalog and schema filled in where they were left out. */
    public TableIdentifier withDefaults(String defaultCatalog, String defaultSchema) {
        return new TableIdentifier(
                catalog != null ? catalog : defaultCatalog,
                schema != null ? schema : defaultSchema,
                table);
    }

    /** The quoted, fully written SQL form, e.g. {@code "main"."orders"}. */
    public String toSql() {
        StringBuilder sb = new StringBuilder();
        if (catalog != null) {
            sb.append(SqlIdentifiers.quote(catalog)).append('.');
        }
        if (schema != null) {
            sb.append(SqlIdentifiers.quote(schema)).append('.');
        }
        return sb.append(SqlIdentifiers.quote(table)).toString();
    }

    /** A name in the same catalog and schema as this table. */
    public TableIdentifier sibling(String otherTable) {
        return new TableIdentifier(catalog, schema, otherTable);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TableIdentifier)) {
            return false;
        }
        TableIdentifier that = (TableIdentifier) o;
        return Objects.equals(lower(catalog), lower(that.catalog))
                && Objects.equals(lower(schema), lower(that.schema))
                && lower(table).equals(lower(that.table));
    }

    @Override
    public int hashCode() {
        return Objects.hash(lower(catalog), lower(schema), lower(table));
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** The readable dotted form used in messages, e.g. {@code main.orders}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (catalog != null) {
            sb.append(catalog).append('.');
        }
        if (schema != null) {
            sb.append(schema).append('.');
        }
        return sb.append(table).toString();
    }
}
