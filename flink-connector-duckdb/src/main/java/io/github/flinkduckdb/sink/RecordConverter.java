package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.TableSchema;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/**
 * Turns one input record into zero or more table rows, written to a {@link RowCollector}. The sink
 * calls it on the task thread; implementations must be serializable and need not be thread-safe.
 * Ready-made converters: {@link DuckDBSink#forKeyedBatches}, {@link DuckDBSink#forMaps}, {@link
 * DuckDBSink#forRows} and {@link DuckDBSink#forRowWriter}.
 *
 * @param <IN> the sink's input type
 */
@PublicEvolving
@FunctionalInterface
public interface RecordConverter<IN> extends Serializable {

    /** Called once on the task thread with the target table's schema before the first record. */
    default void open(TableSchema schema) throws Exception {}

    /** Writes the rows of one record. */
    void convert(IN record, RowCollector out) throws Exception;
}
