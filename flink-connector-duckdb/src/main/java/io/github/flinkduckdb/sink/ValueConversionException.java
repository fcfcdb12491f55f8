package io.github.flinkduckdb.sink;

import org.apache.flink.annotation.PublicEvolving;

/**
 * A value that cannot be written to its DuckDB column. The message names the table, the column
 * (with a path into nested values), the expected DuckDB type, the Java type and the batch id; the
 * value itself is left out because it may hold personal data.
 */
@PublicEvolving
public class ValueConversionException extends DuckDBSinkException {

    private static final long serialVersionUID = 1L;

    private final String column;
    private final String expectedType;
    private final String javaType;

    public ValueConversionException(
            String message, String column, String expectedType, String javaType) {
        super(message);
        this.column = column;
        this.expectedType = expectedType;
        this.javaType = javaType;
    }

    public String column() {
        return column;
    }

    public String expectedType() {
        return expectedType;
    }

    public String javaType() {
        return javaType;
    }
}
