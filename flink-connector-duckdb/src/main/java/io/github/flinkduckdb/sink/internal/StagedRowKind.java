package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBSinkException;

import org.apache.flink.types.RowKind;

/**
 * How a row of each Flink {@link RowKind} is staged. Appending takes inserts and update-afters
 * only; upsert mode also takes deletions of a key and drops update-befores (the update-after that
 * follows carries the new row).
 */
enum StagedRowKind {
    /** Insert or replace the row. */
    WRITE,
    /** Delete the row's key. */
    DELETE,
    /** Not staged. */
    DROP;

    static StagedRowKind of(RowKind kind, boolean upsert, TableIdentifier table) {
        switch (kind) {
            case INSERT:
            case UPDATE_AFTER:
                return WRITE;
            case DELETE:
                if (upsert) {
                    return DELETE;
                }
                break;
            case UPDATE_BEFORE:
                if (upsert) {
                    return DROP;
                }
                break;
            default:
                break;
        }
        throw new DuckDBSinkException(
                "Row of kind "
                        + kind
                        + " for table "
                        + table
                        + ": this sink appends rows; updates and deletes need an upsert key (DuckDBSinkBuilder.setUpsertKey, or a PRIMARY KEY in the SQL connector)");
    }
}
