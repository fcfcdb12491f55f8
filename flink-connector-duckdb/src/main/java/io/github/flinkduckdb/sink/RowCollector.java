package io.github.flinkduckdb.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import java.util.Map;

/**
 * Receives the rows a {@link RecordConverter} makes of one input record. Rows between {@link
 * #beginBatch(String)} and {@link #endBatch()} form one atomic batch: they become visible in one
 * DuckDB transaction or not at all, and with batch de-duplication on, a batch whose id is already
 * committed to the table is skipped. Rows added outside a batch belong to the record alone.
 * Internal: the sink implements it, {@link RecordConverter}s call it.
 */
@Internal
public interface RowCollector {

    /**
     * Starts an atomic batch.
     *
     * @param batchId the batch's id, unique per table; must not be null
     */
    void beginBatch(String batchId);

    /** Ends the batch started by {@link #beginBatch(String)}. */
    void endBatch();

    /**
     * Adds a row given as column name to value. Names match columns case-insensitively; a missing
     * key is the column's default (NULL without one); unknown keys follow the sink's {@link
     * UnknownColumnPolicy}.
     */
    void addMap(Map<String, ?> row);

    /**
     * Adds a Flink {@link Row}: by field name when the row has names, else by position in table
     * column order. Its {@link Row#getKind() kind} is handled as in {@link #beginRow(RowKind)}.
     */
    void addRow(Row row);

    /** Adds one value per table column, in table column order. */
    void addValues(Object... values);

    /**
     * Starts a row written value by value straight into DuckDB's appender (no maps, no boxing of
     * primitives); finish it with {@link DuckDBRowAppender#endRow()}.
     */
    DuckDBRowAppender beginRow();

    /**
     * Starts a typed row that is a change of the given kind. A sink with an upsert key (see {@link
     * DuckDBSinkBuilder#setUpsertKey(java.util.List)}) upserts {@code INSERT} and {@code
     * UPDATE_AFTER} rows, deletes the key of {@code DELETE} rows (their other columns may be null)
     * and ignores {@code UPDATE_BEFORE} rows (their values are taken and dropped). An appending
     * sink takes only {@code INSERT} and {@code UPDATE_AFTER}; other kinds are an error naming the
     * table.
     */
    default DuckDBRowAppender beginRow(RowKind kind) {
        if (kind != RowKind.INSERT && kind != RowKind.UPDATE_AFTER) {
            throw new DuckDBSinkException(
                    "A row of kind "
                            + kind
                            + " needs a sink with an upsert key (DuckDBSinkBuilder.setUpsertKey)");
        }
        return beginRow();
    }
}
