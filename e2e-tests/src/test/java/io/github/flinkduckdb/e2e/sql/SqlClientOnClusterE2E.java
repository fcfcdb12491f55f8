package io.github.flinkduckdb.e2e.sql;

import io.github.flinkduckdb.e2e.cluster.FlinkStandaloneCluster;
import io.github.flinkduckdb.e2e.cluster.SqlClient;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL connector from the Flink SQL client, given the shaded jar with {@code --jar}, against a
 * standalone cluster: DDL, an insert from datagen and from VALUES, an upsert from an aggregation, a
 * catalog and a query through it. Results are checked in DuckDB.
 */
class SqlClientOnClusterE2E {

    private static FlinkStandaloneCluster cluster;
    private static Path work;

    @BeforeAll
    static void startCluster() throws Exception {
        work = FlinkStandaloneCluster.workDirectory("sql");
        cluster = FlinkStandaloneCluster.start(work.resolve("cluster"), 1, 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void createsInsertsUpsertsAndQueriesThroughTheCatalog() throws Exception {
        Path db = work.resolve("shop.duckdb");
        String path = db.toAbsolutePath().toString();
        String script =
                String.join(
                        "\n",
                        "SET 'table.dml-sync' = 'true';",
                        "SET 'sql-client.execution.result-mode' = 'tableau';",
                        "SET 'execution.checkpointing.interval' = '1 s';",
                        "SET 'parallelism.default' = '2';",
                        "CREATE TABLE orders (",
                        "  order_id BIGINT, customer STRING, amount DECIMAL(10, 2),",
                        "  PRIMARY KEY (order_id) NOT ENFORCED",
                        ") WITH ('connector' = 'duckdb', 'path' = '" + path + "',",
                        "  'create-table' = 'true', 'sink.delivery-guarantee' = 'exactly-once');",
                        "CREATE TEMPORARY TABLE gen (order_id BIGINT, customer_no INT) WITH (",
                        "  'connector' = 'datagen', 'number-of-rows' = '1000',",
                        "  'fields.order_id.kind' = 'sequence', 'fields.order_id.start' = '1',",
                        "  'fields.order_id.end' = '1000',",
                        "  'fields.customer_no.kind' = 'sequence', 'fields.customer_no.start' = '1',",
                        "  'fields.customer_no.end' = '1000');",
                        "INSERT INTO orders SELECT order_id, CONCAT('c', CAST(MOD(customer_no, 5) AS STRING)),",
                        "  CAST(1.25 AS DECIMAL(10, 2)) FROM gen;",
                        "INSERT INTO orders VALUES (1001, 'ann', 10.50), (1002, 'bob', 3.25);",
                        "CREATE TABLE totals (customer STRING, orders_count BIGINT, total DECIMAL(20, 2),",
                        "  PRIMARY KEY (customer) NOT ENFORCED",
                        ") WITH ('connector' = 'duckdb', 'path' = '"
                                + path
                                + "', 'create-table' = 'true');",
                        "INSERT INTO totals SELECT customer, COUNT(*), SUM(amount) FROM orders GROUP BY customer;",
                        "CREATE CATALOG duck WITH ('type' = 'duckdb', 'path' = '" + path + "');",
                        "SET 'execution.runtime-mode' = 'batch';",
                        "SELECT customer, orders_count FROM duck.main.totals WHERE customer = 'ann';",
                        "SHOW TABLES FROM duck.main;",
                        "");
        SqlClient.Result result =
                SqlClient.run(
                        cluster,
                        work,
                        Paths.get(System.getProperty("e2e.sql.connector.jar")),
                        script);
        assertThat(result.hasErrors())
                .as("SQL client output:\n%s\nCluster logs:\n%s", result.output, cluster.logs())
                .isFalse();

        DuckDBTestDatabase duck = DuckDBTestDatabase.at(db);
        assertThat(duck.count("SELECT count(*) FROM orders")).isEqualTo(1002);
        assertThat(duck.count("SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(1002);
        List<Map<String, Object>> totals =
                duck.rows("SELECT customer, orders_count, total FROM totals ORDER BY customer");
        assertThat(totals).hasSize(7);
        assertThat(totals.get(0))
                .containsEntry("customer", "ann")
                .containsEntry("orders_count", 1L)
                .containsEntry("total", new BigDecimal("10.50"));
        assertThat(duck.count("SELECT sum(orders_count) FROM totals")).isEqualTo(1002);
        for (int c = 0; c < 5; c++) {
            assertThat(duck.count("SELECT orders_count FROM totals WHERE customer = 'c" + c + "'"))
                    .isEqualTo(200);
        }
        // The catalog query printed the aggregate it read back, and listed the tables.
        assertThat(result.output).contains("ann").contains("totals").contains("orders");
    }
}
