package io.github.flinkduckdb.examples.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL demo lands every order once and the upserted totals equal the orders' aggregate. */
class SqlOrdersToDuckDBTest {

    @TempDir Path dir;

    @Test
    void landsEveryOrderOnceAndTotalsMatchTheOrders() throws Exception {
        Path db = dir.resolve("sql-shop.duckdb");
        SqlOrdersToDuckDB.run(db);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
                Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*), count(DISTINCT order_id), min(order_id), max(order_id) FROM orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(SqlOrdersToDuckDB.ORDERS);
                assertThat(rs.getLong(2)).isEqualTo(SqlOrdersToDuckDB.ORDERS);
                assertThat(rs.getLong(3)).isEqualTo(1);
                assertThat(rs.getLong(4)).isEqualTo(SqlOrdersToDuckDB.ORDERS);
            }
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*) FROM (SELECT customer_id, count(*) AS n, sum(amount) AS s "
                                    + "FROM orders GROUP BY customer_id) o FULL JOIN customer_totals t "
                                    + "USING (customer_id) WHERE o.n IS DISTINCT FROM t.orders "
                                    + "OR o.s IS DISTINCT FROM t.revenue")) {
                rs.next();
                assertThat(rs.getLong(1)).as("customers whose total differs").isZero();
            }
            try (ResultSet rs = st.executeQuery("SELECT sum(orders) FROM customer_totals")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(SqlOrdersToDuckDB.ORDERS);
            }
        }
        assertThat(SqlOrdersToDuckDB.summary(db))
                .startsWith(
                        SqlOrdersToDuckDB.ORDERS
                                + " orders ("
                                + SqlOrdersToDuckDB.ORDERS
                                + " distinct)")
                .contains("customer 1: ");
    }
}
