package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.faults.FaultMatrix;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What an output holds of the orders a test expects, by {@code order_id}. */
public final class OrderIds {

    /**
     * The rows of an output against the expected ids.
     *
     * @param rows rows in the output, duplicates included
     * @param lost expected ids missing from the output
     * @param duplicated rows beyond the first of an id
     * @param unexpected rows whose id was not expected
     */
    public record Tally(long rows, long lost, long duplicated, long unexpected) {

        /**
         * Records this tally as a fault-matrix row ({@link FaultMatrix}): {@code messagesIn} went
         * in, {@code recovery} from the fault's end to new rows.
         */
        public void record(
                String fault,
                String where,
                String guarantee,
                long messagesIn,
                Duration recovery,
                String note) {
            FaultMatrix.record(
                    new FaultMatrix.Row(
                            fault,
                            where,
                            guarantee,
                            messagesIn,
                            rows,
                            lost,
                            duplicated,
                            recovery,
                            note));
        }

        /** The worse of two outputs of one run (e.g. DuckDB and Parquet), field by field. */
        public Tally worst(Tally other) {
            return new Tally(
                    Math.max(rows, other.rows),
                    Math.max(lost, other.lost),
                    Math.max(duplicated, other.duplicated),
                    Math.max(unexpected, other.unexpected));
        }
    }

    private OrderIds() {}

    /**
     * Counts {@code relation} (a table or a {@code read_parquet(...)} expression) read with {@code
     * db}, against {@code ids}: computed from the output, for the fault matrix.
     */
    public static Tally tally(DuckDBTestDatabase db, String relation, Collection<Integer> ids) {
        Set<Long> expected = new HashSet<>();
        ids.forEach(i -> expected.add(i.longValue()));
        long rows = 0;
        long duplicated = 0;
        long unexpected = 0;
        Set<Long> seen = new HashSet<>();
        for (Map<String, Object> r :
                db.rows("SELECT order_id, count(*) AS n FROM " + relation + " GROUP BY order_id")) {
            long id = ((Number) r.get("order_id")).longValue();
            long n = ((Number) r.get("n")).longValue();
            rows += n;
            duplicated += n - 1;
            seen.add(id);
            if (!expected.contains(id)) {
                unexpected += n;
            }
        }
        expected.removeAll(seen);
        return new Tally(rows, expected.size(), duplicated, unexpected);
    }

    /**
     * The worse of the {@code orders} table in {@code db} and {@code parquetOrders} (the published
     * Parquet files of the same model, e.g. {@link PublishedParquet#files}) against {@code ids}.
     */
    public static Tally tallyOrders(
            DuckDBTestDatabase db, String parquetOrders, Collection<Integer> ids) {
        return tally(db, "orders", ids).worst(tally(db, parquetOrders, ids));
    }

    /** {@code relation}'s order ids are exactly {@code ids}: each once, none missing. */
    public static void assertExactly(DuckDBTestDatabase db, String relation, List<Integer> ids) {
        assertThat(db.count("SELECT count(*) FROM " + relation)).as(relation).isEqualTo(ids.size());
        assertThat(db.count("SELECT count(DISTINCT order_id) FROM " + relation))
                .as(relation)
                .isEqualTo(ids.size());
        assertThat(
                        db.strings(
                                "SELECT string_agg(order_id::VARCHAR, ',' ORDER BY order_id) FROM "
                                        + relation))
                .as(relation)
                .containsExactly(
                        ids.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
}
