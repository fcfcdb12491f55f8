package io.github.flinkduckdb.schema;

import org.apache.flink.annotation.Internal;

/**
 * Quoting for identifiers and the few literals that DuckDB cannot take as bound parameters (file
 * paths in {@code COPY} and {@code ATTACH}). Every identifier this project puts into SQL goes
 * through {@link #quote(String)}.
 */
@Internal
public final class SqlIdentifiers {

    private SqlIdentifiers() {}

    /** Returns {@code name} as a double-quoted DuckDB identifier. */
    public static String quote(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("An identifier must not be empty");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** Returns {@code value} as a single-quoted SQL string literal. */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("A SQL literal must not contain NUL characters");
        }
        return '\'' + value.replace("'", "''") + '\'';
    }
}
