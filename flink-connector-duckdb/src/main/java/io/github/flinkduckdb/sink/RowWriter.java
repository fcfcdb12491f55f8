package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.TableSchema;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/**
 * The fast path for typed records: appends one record's values straight to DuckDB's appender, in
 * table column order, with no intermediate maps and no boxing of primitives.
 *
 * <pre>{@code
 * RowWriter<Order> writer = (order, row) -> row
 *         .append(order.id)          // BIGINT
 *         .append(order.customer)    // VARCHAR
 *         .append(order.amount)      // DOUBLE
 *         .appendEpochMicros(order.placedAtMicros);  // TIMESTAMP
 * }</pre>
 *
 * @param <IN> the record type
 */
@PublicEvolving
@FunctionalInterface
public interface RowWriter<IN> extends Serializable {

    /**
     * Called once with the target table's schema before the first record, on the task thread: the
     * place to check that the columns are the ones this writer expects.
     */
    default void open(TableSchema schema) throws Exception {}

    /** Appends the values of one record; the sink ends the row. */
    void write(IN record, DuckDBRowAppender row) throws Exception;
}
