package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sink's connections to the target run with a bounded {@code memory_limit} (not DuckDB's 80% of
 * RAM) and spill below the process's temporary folder, unless the user sets either; what happens
 * when an upsert's key index outgrows the limit.
 */
class MemoryLimitTest {

    @TempDir Path dir;

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** How DuckDB reports {@code size} as a memory_limit (e.g. 512MB as "488.2 MiB"). */
    private static String reported(String size) throws SQLException {
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            st.execute("SET memory_limit = '" + size + "'");
            return setting(c, "memory_limit");
        }
    }

    @Test
    void targetConnectionsAreBoundedAndSpillBelowTheTemporaryFolder() throws Exception {
        DuckDBSink<Row> sink =
                DuckDBSink.forRows("jdbc:duckdb:" + dir.resolve("bounded.duckdb"), "t").build();
        DuckDBConnectionProvider target = sink.getConfig().connection;
        assertThat(target.memoryLimit()).isEqualTo("512MB");
        try (Connection first = target.open();
                Connection second = target.open()) {
            assertThat(setting(first, "memory_limit")).isEqualTo(reported("512MB"));
            String spill = setting(first, "temp_directory");
            assertThat(spill)
                    .startsWith(DuckDBConnectionProvider.spillDirectory().toString())
                    .isNotEqualTo(DuckDBConnectionProvider.spillDirectory().toString());
            // One database instance per file and process: the second connection keeps its folder.
            assertThat(setting(second, "temp_directory")).isEqualTo(spill);
        }
    }

    @Test
    void theUsersSettingsWin() throws Exception {
        Path spill = dir.resolve("my-spill");
        DuckDBSink<Row> sink =
                DuckDBSink.forRows("jdbc:duckdb:" + dir.resolve("custom.duckdb"), "t")
                        .setDuckDBSetting("memory_limit", "64MB")
                        .setDuckDBSetting("temp_directory", spill.toString())
                        .build();
        DuckDBConnectionProvider target = sink.getConfig().connection;
        assertThat(target.memoryLimit()).isEqualTo("64MB");
        try (Connection c = target.open()) {
            assertThat(setting(c, "memory_limit")).isEqualTo(reported("64MB"));
            assertThat(setting(c, "temp_directory")).isEqualTo(spill.toString());
        }
    }

    /** The appender reports an allocation failure without DuckDB's error type. */
    @Test
    void anAppenderThatCannotAllocateNamesTheLimit() {
        DuckDBConnectionProvider target =
                DuckDBSink.forRows("jdbc:duckdb:" + dir.resolve("a.duckdb"), "t")
                        .setDuckDBSetting("memory_limit", "32MB")
                        .build()
                        .getConfig()
                        .connection;
        String appender =
                "Failed to append: could not allocate block of size 15.9 KiB (30.6 MiB/30.5 MiB used)";
        assertThat(target.scrub(new SQLException(appender)).getMessage())
                .startsWith("DuckDB ran out of its memory_limit of 32MB")
                .endsWith(appender);
        String pin =
                "Failed to append: failed to pin block of size 256.0 KiB (30.5 MiB/30.5 MiB used)";
        assertThat(target.scrub(new SQLException(pin)).getMessage())
                .startsWith("DuckDB ran out of its memory_limit of 32MB")
                .endsWith(pin);
        SQLException other = new SQLException("Constraint Error: duplicate key");
        assertThat((Object) target.scrub(other)).isSameAs(other);
    }

    /**
     * DuckDB spills table data above the limit, but not a primary key's index (ART), which must
     * stay in memory: a table upserted with new keys grows its index (about 8 bytes per BIGINT key,
     * measured) until an upsert cannot allocate, and the flush fails naming the table and the
     * limit. Every flush is one transaction: the table keeps whole flushes only.
     */
    @Test
    void anUpsertWhoseKeyIndexOutgrowsTheLimitFailsNamingTableAndLimit() throws Exception {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("upserts.duckdb"));
        db.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, v VARCHAR)");
        int perFlush = 500_000;
        int flushes = 8;
        DuckDBSink<Row> sink =
                DuckDBSink.forRows(db.url(), "items")
                        .setUpsertKey("id")
                        .setMaxBufferedRows(perFlush)
                        .setDuckDBSetting("memory_limit", "32MB")
                        .build();
        assertThatThrownBy(
                        () -> {
                            try (SinkHarness<Row> h = SinkHarness.direct(sink)) {
                                for (long k = 0; k < (long) perFlush * flushes; k++) {
                                    h.write(Row.ofKind(RowKind.INSERT, k, "v"));
                                }
                                h.checkpoint();
                            }
                        })
                .isInstanceOf(DuckDBSinkException.class)
                .hasStackTraceContaining("rows to table upserts.main.items in DuckDB file")
                // The flush's statement or, when the index has taken the memory first, the
                // appender staging the next rows (the staging database shares the limit).
                .hasStackTraceContaining("DuckDB ran out of its memory_limit of 32MB");
        long rows = db.count("SELECT count(*) FROM items");
        assertThat(rows % perFlush).isZero();
        assertThat(rows).isGreaterThan(0).isLessThan((long) perFlush * flushes);
    }
}
