package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.sink.DuckDBSinkBuilder;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * DuckDB's own limit for exactly-once delivery: what DuckDB alone needs to do, in one Java thread
 * without Flink, to move rows into a table the way any exactly-once sink for DuckDB must.
 *
 * <p>DuckDB has no transaction that survives its process, and one process at a time writes a
 * database file. So an exactly-once sink cannot hold the target's transaction open across a
 * checkpoint; the rows of a checkpoint must be in Flink's state, as bytes, before the checkpoint
 * completes, and reach the target only when it has. That is three passes where the raw appender
 * does one: append the rows to a staging table, encode them into a payload (the bytes a checkpoint
 * keeps: zstd Parquet, as the sink's), and load the payload into the target in one transaction.
 * This loop does those passes back to back for each chunk of {@link
 * DuckDBSinkBuilder#DEFAULT_MAX_BUFFERED_ROWS} rows (the sink's default chunk) with DuckDB's
 * default settings, and nothing else: no Flink, no threads of its own, no commit markers.
 *
 * <p>With {@code upsert}, the rows are the SQL upsert case's (every fifth row updates the key of
 * the row four before it, {@link SqlBenchmarks#key}), staged with their sequence, and the load
 * replaces by key into a table with a PRIMARY KEY: DuckDB rejects a key changed twice in one
 * statement, so each chunk is reduced to its last change per key first, the least DuckDB needs.
 */
final class RawStaged {

    private RawStaged() {}

    /** Runs {@code rows} rows into {@code url}'s {@code orders}; returns seconds. */
    static double run(String url, long rows, boolean upsert, Path work) throws Exception {
        int chunk = DuckDBSinkBuilder.DEFAULT_MAX_BUFFERED_ROWS;
        Path payload = work.resolve("raw-staged-payload.parquet");
        Path applied = work.resolve("raw-staged-apply.parquet");
        try (Connection target = DriverManager.getConnection(url);
                Statement t = target.createStatement();
                Connection staging = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = staging.createStatement()) {
            t.execute(upsert ? Order.CREATE_TABLE_WITH_KEY : Order.CREATE_TABLE);
            String load =
                    upsert
                            ? "INSERT OR REPLACE INTO orders SELECT id, customer, amount,"
                                    + " placed_at, category FROM (SELECT *, row_number() OVER"
                                    + " (PARTITION BY id ORDER BY seq DESC) AS rn FROM"
                                    + " read_parquet("
                                    + literal(applied)
                                    + ")) WHERE rn = 1"
                            : "INSERT INTO orders SELECT id, customer, amount, placed_at,"
                                    + " category FROM read_parquet("
                                    + literal(applied)
                                    + ")";
            long start = System.nanoTime();
            long i = 0;
            while (i < rows) {
                long end = Math.min(rows, i + chunk);
                s.execute(
                        "CREATE OR REPLACE TABLE staged (id BIGINT, customer VARCHAR, amount DOUBLE,"
                                + " placed_at TIMESTAMP, category VARCHAR, seq BIGINT)");
                try (DuckDBAppender a =
                        staging.unwrap(DuckDBConnection.class).createAppender("main", "staged")) {
                    for (; i < end; i++) {
                        SteadyState.row(i);
                        Order o = Order.of(i);
                        a.beginRow()
                                .append(upsert ? SqlBenchmarks.key(i) : o.id)
                                .append(o.customer)
                                .append(o.amount)
                                .appendEpochMicros(o.placedAtMicros)
                                .append(o.category)
                                .append(i)
                                .endRow();
                    }
                }
                s.execute(
                        "COPY staged TO "
                                + literal(payload)
                                + " (FORMAT parquet, COMPRESSION zstd)");
                // The bytes a checkpoint keeps, and the committer's copy of them.
                byte[] state = Files.readAllBytes(payload);
                Files.write(applied, state);
                t.execute("BEGIN TRANSACTION");
                t.execute(load);
                t.execute("COMMIT");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Files.deleteIfExists(payload);
            Files.deleteIfExists(applied);
            return seconds;
        }
    }

    private static String literal(Path file) {
        return "'" + file.toAbsolutePath().toString().replace("'", "''") + "'";
    }
}
