package io.github.flinkduckdb.sink;

import org.apache.flink.annotation.PublicEvolving;

/**
 * A permanent sink failure: bad input, a schema mismatch, a rejected statement. Retrying does not
 * help, so the job fails with this message; Flink's restart strategy decides what happens next.
 */
@PublicEvolving
public class DuckDBSinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DuckDBSinkException(String message) {
        super(message);
    }

    public DuckDBSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
