package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.DuckDBTableSchema;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/**
 * Turns one input record into zero or more table rows, written to a {@link RowCollector}: the
 * plumbing behind {@link DuckDBSink}'s built-in shapes ({@link DuckDBSink#forKeyedBatches}, {@link
 * DuckDBSink#forMaps}, {@link DuckDBSink#forRows}), its {@link RowWriter} and the SQL connector.
 * Users extend the sink with a {@link RowWriter}. The sink calls it on the task thread;
 * implementations must be serializable and need not be thread-safe.
 *
 * @param <IN> the sink's input type
 */
@Internal
@FunctionalInterface
public interface RecordConverter<IN> extends Serializable {

    /** Called once on the task thread with the target table's schema before the first record. */
    default void open(DuckDBTableSchema schema) throws Exception {}

    /** Writes the rows of one record. */
    void convert(IN record, RowCollector out) throws Exception;
}
