package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.DuckDBTableSchema;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.types.RowKind;

import java.io.Serializable;

/**
 * How a record of any type becomes a table row: the sink's one user extension point (see {@link
 * DuckDBSink}). It appends one record's values straight to DuckDB's appender, in table column
 * order, with no intermediate maps and no boxing of primitives; the sink converts each value
 * strictly to its column's type and ends the row.
 *
 * <pre>{@code
 * RowWriter<Order> writer = (order, row) -> row
 *         .append(order.id)          // BIGINT
 *         .append(order.customer)    // VARCHAR
 *         .append(order.amount)      // DOUBLE
 *         .appendEpochMicros(order.placedAtMicros);  // TIMESTAMP
 * }</pre>
 *
 * <p>The sink calls it on the task thread; implementations must be serializable and need not be
 * thread-safe.
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
    default void open(DuckDBTableSchema schema) throws Exception {}

    /**
     * The change a record stands for. A sink with an upsert key (see {@link
     * DuckDBSinkBuilder#setUpsertKey(java.util.List)}) upserts {@code INSERT} and {@code
     * UPDATE_AFTER} rows, deletes the key of {@code DELETE} rows (their other columns may be null)
     * and ignores {@code UPDATE_BEFORE} rows; an appending sink takes only {@code INSERT} and
     * {@code UPDATE_AFTER}, and fails on other kinds naming the table. {@code INSERT} unless
     * overridden.
     */
    default RowKind kind(IN record) {
        return RowKind.INSERT;
    }

    /** Appends the values of one record; the sink ends the row. */
    void write(IN record, DuckDBRowAppender row) throws Exception;
}
