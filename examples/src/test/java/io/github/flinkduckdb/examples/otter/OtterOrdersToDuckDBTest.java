package io.github.flinkduckdb.examples.otter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Otter demo lands every good order once in {@code orders}, its items in {@code purchases} and
 * every bad message once in {@code dead_letters}.
 */
class OtterOrdersToDuckDBTest {

    @TempDir Path dir;

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void landsEveryOrderItsPurchasesAndEveryDeadLetterOnce() throws Exception {
        Path db = dir.resolve("otter.duckdb");
        int orders = 120;
        OtterOrdersToDuckDB.run(db, orders);

        // The fixture has 6 lines: 4 good orders with 1, 3, 0 and 2 items, one with a quantity of
        // "two" (parse) and one cut off (parse); 120 orders are 20 rounds of the fixture.
        int rounds = orders / 6;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
                Statement st = c.createStatement()) {
            assertThat(count(st, "SELECT count(*) FROM orders")).isEqualTo(4L * rounds);
            assertThat(count(st, "SELECT count(DISTINCT order_id) FROM orders"))
                    .isEqualTo(4L * rounds);
            assertThat(count(st, "SELECT count(*) FROM purchases")).isEqualTo(6L * rounds);
            assertThat(count(st, "SELECT count(*) FROM purchases WHERE order_id % 6 = 3"))
                    .as("the order without items has no purchases")
                    .isZero();
            assertThat(count(st, "SELECT count(*) FROM purchases WHERE order_id % 6 = 2"))
                    .as("the order with three items has three purchases each time")
                    .isEqualTo(3L * rounds);
            assertThat(count(st, "SELECT count(*) FROM dead_letters WHERE stage = 'parse'"))
                    .isEqualTo(2L * rounds);
            assertThat(
                            count(
                                    st,
                                    "SELECT count(*) FROM dead_letters WHERE error = 'field"
                                            + " ''items[0].quantity'' (INTEGER): expected a whole"
                                            + " number, got a string'"))
                    .isEqualTo(rounds);
            assertThat(count(st, "SELECT sum(line_total) * 100 FROM purchases WHERE order_id = 2"))
                    .isEqualTo(5015L);
        }
        assertThat(OtterOrdersToDuckDB.summary(db))
                .contains("orders            80 rows")
                .contains("purchases        120 rows")
                .contains("dead_letters      40 rows");
    }
}
