package io.github.flinkduckdb.examples.sql;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Demo of the SQL connector: generated orders written exactly-once into a DuckDB table, a running
 * total per customer upserted into a second table (PRIMARY KEY), then both read back through the
 * DuckDB catalog without any DDL.
 *
 * <pre>
 * mvn -B -Pdemo -pl examples -am package -DskipTests \
 *     -Ddemo.main=io.github.flinkduckdb.examples.sql.SqlOrdersToDuckDB
 * </pre>
 */
public final class SqlOrdersToDuckDB {

    static final int ORDERS = 2_000;

    private SqlOrdersToDuckDB() {}

    public static void main(String[] args) throws Exception {
        Path database = Paths.get(args.length > 0 ? args[0] : "target/demo/sql-shop.duckdb");
        run(database);
        System.out.println(summary(database));
    }

    /** Runs the (bounded) job to the end. */
    static void run(Path database) throws Exception {
        Files.createDirectories(database.toAbsolutePath().getParent());
        Files.deleteIfExists(database);
        Files.deleteIfExists(Paths.get(database + ".wal"));

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        StreamTableEnvironment sql = StreamTableEnvironment.create(env);

        String path = database.toAbsolutePath().toString().replace("'", "''");
        sql.executeSql(
                "CREATE TABLE generated_orders (order_id BIGINT, customer_id INT, amount DECIMAL(10, 2)) "
                        + "WITH ('connector' = 'datagen', 'rows-per-second' = '2000', "
                        + "'fields.order_id.kind' = 'sequence', 'fields.order_id.start' = '1', "
                        + "'fields.order_id.end' = '"
                        + ORDERS
                        + "', 'fields.customer_id.min' = '1', 'fields.customer_id.max' = '5', "
                        + "'fields.amount.min' = '1', 'fields.amount.max' = '500')");
        sql.executeSql(
                "CREATE TABLE orders (order_id BIGINT, customer_id INT, amount DECIMAL(10, 2)) "
                        + "WITH ('connector' = 'duckdb', 'path' = '"
                        + path
                        + "', 'create-table' = 'true', 'sink.delivery-guarantee' = 'exactly-once')");
        sql.executeSql(
                "CREATE TABLE customer_totals (customer_id INT, orders BIGINT, revenue DECIMAL(38, 2), "
                        + "PRIMARY KEY (customer_id) NOT ENFORCED) "
                        + "WITH ('connector' = 'duckdb', 'path' = '"
                        + path
                        + "', 'create-table' = 'true', 'sink.delivery-guarantee' = 'exactly-once')");
        sql.createStatementSet()
                .addInsertSql("INSERT INTO orders SELECT * FROM generated_orders")
                .addInsertSql(
                        "INSERT INTO customer_totals SELECT customer_id, COUNT(*), SUM(amount) "
                                + "FROM generated_orders GROUP BY customer_id")
                .execute()
                .await();
    }

    /** Reads both tables back through the DuckDB catalog, in batch mode. */
    static String summary(Path database) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        StreamTableEnvironment sql = StreamTableEnvironment.create(env);
        sql.executeSql(
                "CREATE CATALOG shop WITH ('type' = 'duckdb', 'path' = '"
                        + database.toAbsolutePath().toString().replace("'", "''")
                        + "')");
        StringBuilder out = new StringBuilder();
        for (Row r :
                rows(
                        sql.executeSql(
                                "SELECT COUNT(*), COUNT(DISTINCT order_id) FROM shop.main.orders"))) {
            out.append(r.getField(0))
                    .append(" orders (")
                    .append(r.getField(1))
                    .append(" distinct)\n");
        }
        for (Row r :
                rows(
                        sql.executeSql(
                                "SELECT customer_id, orders, revenue FROM shop.main.customer_totals ORDER BY customer_id"))) {
            out.append("customer ")
                    .append(r.getField(0))
                    .append(": ")
                    .append(r.getField(1))
                    .append(" orders, ")
                    .append(r.getField(2))
                    .append('\n');
        }
        return out.toString();
    }

    private static java.util.List<Row> rows(TableResult result) throws Exception {
        java.util.List<Row> rows = new java.util.ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }
}
