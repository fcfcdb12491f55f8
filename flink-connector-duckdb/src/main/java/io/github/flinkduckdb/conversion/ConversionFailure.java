package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;

/**
 * Why one value does not fit its DuckDB type, with the path inside nested values. Carries no stack
 * trace: it is turned into a {@link io.github.flinkduckdb.sink.ValueConversionException} with
 * table, column and batch by the caller.
 */
@Internal
public final class ConversionFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final DuckDBType type;
    private final String javaType;
    private final String reason;

    ConversionFailure(String path, DuckDBType type, Object value, String reason) {
        super(reason, null, false, false);
        this.path = path;
        this.type = type;
        this.javaType = value == null ? "null" : value.getClass().getName();
        this.reason = reason;
    }

    /** The same failure one level further out, e.g. {@code items[2].price}. */
    ConversionFailure within(String outer) {
        return new ConversionFailure(columnPath(outer), type, javaType, reason);
    }

    /** The path from {@code column} down to the failing value, e.g. {@code items[2].price}. */
    public String columnPath(String column) {
        if (path.isEmpty()) {
            return column;
        }
        return path.startsWith("[") ? column + path : column + "." + path;
    }

    private ConversionFailure(String path, DuckDBType type, String javaType, String reason) {
        super(reason, null, false, false);
        this.path = path;
        this.type = type;
        this.javaType = javaType;
        this.reason = reason;
    }

    /** The path below the column, empty for the column itself. */
    public String path() {
        return path;
    }

    public DuckDBType type() {
        return type;
    }

    public String javaType() {
        return javaType;
    }

    public String reason() {
        return reason;
    }
}
