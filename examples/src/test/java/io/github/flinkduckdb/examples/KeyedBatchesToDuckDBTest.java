package io.github.flinkduckdb.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo job runs as the README shows and lands every order exactly once. */
class KeyedBatchesToDuckDBTest {

    @TempDir Path dir;

    @Test
    void landsEveryOrderOnce() throws Exception {
        Path db = dir.resolve("shop.duckdb");
        KeyedBatchesToDuckDB.run(db);
        long expected = (long) KeyedBatchesToDuckDB.BATCHES * KeyedBatchesToDuckDB.ROWS_PER_BATCH;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), count(DISTINCT order_id), count(DISTINCT batch_id) FROM orders")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(expected);
            assertThat(rs.getLong(2)).isEqualTo(expected);
            assertThat(rs.getLong(3)).isEqualTo(KeyedBatchesToDuckDB.BATCHES);
        }
        assertThat(KeyedBatchesToDuckDB.summary(db))
                .contains("10000 orders (10000 distinct) from 400 batches");
    }
}
