package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * What a run left in an output relation with an {@code order_id} column, counted against the ids
 * that had to arrive once each: the figures of a fault-matrix row.
 *
 * @param rows rows in the relation, duplicates included
 * @param lost expected ids missing
 * @param duplicated rows beyond the first of their id
 */
public record Delivered(long rows, long lost, long duplicated) {

    /**
     * Counts {@code relation} (a table, or a {@code read_parquet(...)} call) against {@code ids}.
     */
    public static Delivered count(DuckDBTestDatabase db, String relation, Collection<Integer> ids) {
        long rows = db.count("SELECT count(*) FROM " + relation);
        long distinct = db.count("SELECT count(DISTINCT order_id) FROM " + relation);
        Set<String> present =
                new HashSet<>(db.strings("SELECT DISTINCT order_id::VARCHAR FROM " + relation));
        long lost = ids.stream().filter(id -> !present.contains(String.valueOf(id))).count();
        return new Delivered(rows, lost, rows - distinct);
    }

    /** The worse of two outputs (e.g. DuckDB and Parquet of the same run). */
    public Delivered worst(Delivered other) {
        return new Delivered(
                Math.max(rows, other.rows),
                Math.max(lost, other.lost),
                Math.max(duplicated, other.duplicated));
    }
}
