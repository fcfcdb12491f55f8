package io.github.flinkduckdb.schema;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The columns (in table order) and primary key of a DuckDB table, as read from the database or
 * declared by the job. Column lookups by name are case-insensitive, like DuckDB's.
 */
@PublicEvolving
public final class DuckDBTableSchema implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TableIdentifier identifier;
    private final List<ColumnSchema> columns;
    private final List<String> primaryKey;
    private transient Map<String, Integer> indexByLowerName;

    public DuckDBTableSchema(
            TableIdentifier identifier, List<ColumnSchema> columns, List<String> primaryKey) {
        this.identifier = Objects.requireNonNull(identifier, "identifier");
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("Table " + identifier + " has no columns");
        }
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.primaryKey = Collections.unmodifiableList(new ArrayList<>(primaryKey));
        Map<String, Integer> index = index();
        for (String key : primaryKey) {
            if (!index.containsKey(key.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "Primary key column '" + key + "' is not a column of " + identifier);
            }
        }
    }

    public TableIdentifier identifier() {
        return identifier;
    }

    public List<ColumnSchema> columns() {
        return columns;
    }

    public List<String> primaryKey() {
        return primaryKey;
    }

    public int size() {
        return columns.size();
    }

    public ColumnSchema column(int index) {
        return columns.get(index);
    }

    /** The position of a column by name (case-insensitive), or -1. */
    public int indexOf(String name) {
        Integer i = index().get(name.toLowerCase(Locale.ROOT));
        return i == null ? -1 : i;
    }

    /** This schema with one more column at the end. */
    public DuckDBTableSchema withColumn(ColumnSchema column) {
        if (indexOf(column.name()) >= 0) {
            throw new IllegalArgumentException(
                    "Column '" + column.name() + "' already exists in " + identifier);
        }
        List<ColumnSchema> more = new ArrayList<>(columns);
        more.add(column);
        return new DuckDBTableSchema(identifier, more, primaryKey);
    }

    /** The same columns under another name. */
    public DuckDBTableSchema withIdentifier(TableIdentifier other) {
        return new DuckDBTableSchema(other, columns, primaryKey);
    }

    private Map<String, Integer> index() {
        Map<String, Integer> index = indexByLowerName;
        if (index == null) {
            index = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                String lower = columns.get(i).name().toLowerCase(Locale.ROOT);
                if (index.put(lower, i) != null) {
                    throw new IllegalArgumentException(
                            "Column '"
                                    + columns.get(i).name()
                                    + "' appears twice in "
                                    + identifier
                                    + " (DuckDB names are case-insensitive)");
                }
            }
            indexByLowerName = index;
        }
        return index;
    }

    /** {@code CREATE TABLE} for this schema (with primary key, without defaults). */
    public String toCreateTableSql(boolean ifNotExists) {
        StringBuilder sb = new StringBuilder("CREATE TABLE ");
        if (ifNotExists) {
            sb.append("IF NOT EXISTS ");
        }
        sb.append(identifier.toSql()).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(columns.get(i));
        }
        if (!primaryKey.isEmpty()) {
            sb.append(", PRIMARY KEY (");
            for (int i = 0; i < primaryKey.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(SqlIdentifiers.quote(primaryKey.get(i)));
            }
            sb.append(')');
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DuckDBTableSchema)) {
            return false;
        }
        DuckDBTableSchema that = (DuckDBTableSchema) o;
        return identifier.equals(that.identifier)
                && columns.equals(that.columns)
                && primaryKey.equals(that.primaryKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(identifier, columns, primaryKey);
    }

    @Override
    public String toString() {
        return identifier + columns.toString() + (primaryKey.isEmpty() ? "" : " PK " + primaryKey);
    }
}
