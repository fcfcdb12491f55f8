package io.github.flinkduckdb.sink.suite;

import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back what the sink committed, as a user would: a separate connection (the test's own, see
 * {@link DuckDBSinkExternalContext}) sees only committed transactions; each query is a transaction
 * of its own, so it sees every commit made before it. Each poll returns the rows that appeared
 * since the previous poll, duplicates included (a value committed twice is returned twice), so the
 * suite's exactly-once check sees every duplicate. The table is append-only in these tests; new
 * rows are found by comparing each value's count with how many copies were already returned, which
 * needs no row order.
 */
final class DuckDBTableReader implements ExternalSystemDataReader<String> {

    private static final long PAUSE_MILLIS = 50;

    private final Connection connection;
    private final String query;
    private final Map<String, Long> returned = new HashMap<>();

    DuckDBTableReader(Connection connection, String table) {
        this.connection = connection;
        this.query =
                "SELECT payload, count(*) FROM "
                        + SqlIdentifiers.quote(table)
                        + " GROUP BY payload";
    }

    @Override
    public List<String> poll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> fresh = readNew();
        while (fresh.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fresh;
            }
            fresh = readNew();
        }
        return fresh;
    }

    private List<String> readNew() {
        List<String> fresh = new ArrayList<>();
        for (Map.Entry<String, Long> value : committedCounts().entrySet()) {
            long before = returned.getOrDefault(value.getKey(), 0L);
            for (long i = before; i < value.getValue(); i++) {
                fresh.add(value.getKey());
            }
            returned.put(value.getKey(), Math.max(before, value.getValue()));
        }
        return fresh;
    }

    /** Each value in the table with the number of rows holding it, read now. */
    Map<String, Long> committedCounts() {
        Map<String, Long> counts = new HashMap<>();
        // The suite polls from one thread; the timeout's diagnosis reads from another.
        synchronized (connection) {
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery(query)) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            } catch (SQLException e) {
                throw new IllegalStateException(
                        "Could not read the sink's table with " + query + ": " + e.getMessage(), e);
            }
        }
        return counts;
    }

    /** The connection is the context's; it closes it after the case. */
    @Override
    public void close() {}
}
