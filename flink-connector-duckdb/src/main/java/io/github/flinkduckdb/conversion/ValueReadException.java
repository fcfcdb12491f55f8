package io.github.flinkduckdb.conversion;

import org.apache.flink.annotation.Internal;

/**
 * A DuckDB value that does not have the Java form its DuckDB type promises, from a {@link
 * DuckDBValueReader}. Carries no stack trace: callers add the column and row it came from.
 */
@Internal
public final class ValueReadException extends Exception {

    private static final long serialVersionUID = 1L;

    public ValueReadException(String message) {
        super(message, null, false, false);
    }
}
