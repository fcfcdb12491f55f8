package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for the SQL the Parquet writer builds: identifiers, literals, file paths. */
public final class Sql {

    private Sql() {}

    /** A double-quoted identifier. */
    public static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** A single-quoted string literal (file paths, which DuckDB cannot take as parameters). */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("A SQL literal must not contain NUL characters");
        }
        return '\'' + value.replace("'", "''") + '\'';
    }

    public static String quoteAll(List<String> names) {
        return names.stream().map(Sql::quote).collect(Collectors.joining(", "));
    }

    /**
     * The expression that reads {@code column} back from the JSON object {@code j} written by
     * {@link RowJson}, typed as the column.
     */
    static String fromJson(ColumnSchema column) {
        DuckDBType type = column.type();
        String key = literal(column.name());
        String expr;
        switch (type.id()) {
            case VARCHAR:
                expr = "j->>" + key;
                break;
            case BLOB:
                expr = "from_base64(j->>" + key + ")";
                break;
            case JSON:
                expr = "CAST(j->>" + key + " AS JSON)";
                break;
            case STRUCT:
            case LIST:
            case ARRAY:
            case MAP:
                expr = "CAST(j->" + key + " AS " + type.toSql() + ")";
                break;
            default:
                expr = "CAST(j->>" + key + " AS " + type.toSql() + ")";
        }
        return expr + " AS " + quote(column.name());
    }
}
