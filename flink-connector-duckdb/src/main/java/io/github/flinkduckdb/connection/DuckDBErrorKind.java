package io.github.flinkduckdb.connection;

import org.apache.flink.annotation.Internal;

/**
 * What a DuckDB error says about the call that raised it, and so what its caller does with it: see
 * {@link DuckDBErrorClassifier} for the messages behind each kind.
 */
@Internal
public enum DuckDBErrorKind {

    /**
     * Another process or transaction is in the way, or I/O failed for a moment: the same call may
     * succeed later. {@link RetryPolicy} retries these.
     */
    TRANSIENT,

    /**
     * The statement or the values it was given are wrong (binder, parser, catalog, constraint,
     * conversion errors): the same call fails the same way, so it is never retried; the transform
     * sends the message behind it to the dead-letter output.
     */
    PERMANENT,

    /**
     * DuckDB itself failed (out of memory, an internal error, a closed or invalidated connection, a
     * missing file): not the statement's fault and not cured by running it again on the same
     * connection; the task fails and Flink restarts it.
     */
    FATAL
}
