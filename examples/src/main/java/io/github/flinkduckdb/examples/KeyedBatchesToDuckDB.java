package io.github.flinkduckdb.examples;

import io.github.flinkduckdb.sink.DuckDBSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Demo: a stream of order batches {@code (batchId, rows)} written exactly-once into a DuckDB file
 * on an embedded Flink MiniCluster, then a look at what landed.
 *
 * <pre>
 * mvn -B -Pdemo -pl examples -am package -DskipTests
 * </pre>
 */
public final class KeyedBatchesToDuckDB {

    static final int BATCHES = 400;
    static final int ROWS_PER_BATCH = 25;
    static final String[] CUSTOMERS = {"ada", "grace", "linus", "barbara", "ken"};

    private KeyedBatchesToDuckDB() {}

    public static void main(String[] args) throws Exception {
        Path database = Paths.get(args.length > 0 ? args[0] : "target/demo/shop.duckdb");
        run(database);
        System.out.println(summary(database));
    }

    /** Runs the job to the end (the source is bounded) and returns when the rows are committed. */
    static void run(Path database) throws Exception {
        Files.createDirectories(database.toAbsolutePath().getParent());
        Files.deleteIfExists(database);
        Files.deleteIfExists(Paths.get(database + ".wal"));

        Configuration conf = new Configuration();
        // A demo should stop on a real error instead of restarting forever.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(1_000);

        TypeInformation<Tuple2<String, List<Map<String, Object>>>> type =
                Types.TUPLE(
                        Types.STRING,
                        Types.LIST(Types.MAP(Types.STRING, Types.GENERIC(Object.class))));
        DataGeneratorSource<Tuple2<String, List<Map<String, Object>>>> orders =
                new DataGeneratorSource<>(
                        KeyedBatchesToDuckDB::batch,
                        BATCHES,
                        RateLimiterStrategy.perSecond(200),
                        type);

        env.fromSource(orders, WatermarkStrategy.noWatermarks(), "order batches")
                .returns(type)
                .sinkTo(
                        DuckDBSink.forKeyedBatches(
                                        "jdbc:duckdb:" + database.toAbsolutePath(), "orders")
                                .setCreateTableSql(
                                        "CREATE TABLE orders (order_id BIGINT PRIMARY KEY, "
                                                + "customer VARCHAR, total DECIMAL(12, 2), "
                                                + "placed_at TIMESTAMP WITH TIME ZONE, batch_id VARCHAR)")
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .setBatchDeduplication(true)
                                .build())
                .name("DuckDB orders");

        env.execute("keyed batches to DuckDB");
    }

    /** Batch {@code i}: a batch id and {@link #ROWS_PER_BATCH} orders with unique ids. */
    static Tuple2<String, List<Map<String, Object>>> batch(long i) {
        List<Map<String, Object>> rows = new ArrayList<>(ROWS_PER_BATCH);
        for (int r = 0; r < ROWS_PER_BATCH; r++) {
            long id = i * ROWS_PER_BATCH + r;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("order_id", id);
            row.put("customer", CUSTOMERS[(int) (id % CUSTOMERS.length)]);
            row.put("total", BigDecimal.valueOf(id % 1000, 2).add(BigDecimal.TEN));
            row.put("placed_at", Instant.parse("2026-11-01T00:00:00Z").plusSeconds(id * 37));
            row.put("batch_id", "batch-" + i);
            rows.add(row);
        }
        return Tuple2.of("batch-" + i, rows);
    }

    /** What landed, read back with DuckDB. */
    static String summary(Path database) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c =
                        DriverManager.getConnection("jdbc:duckdb:" + database.toAbsolutePath());
                Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*), count(DISTINCT order_id), count(DISTINCT batch_id), sum(total) FROM orders")) {
                rs.next();
                out.append(
                        String.format(
                                "%s: %d orders (%d distinct) from %d batches, total %s%n",
                                database,
                                rs.getLong(1),
                                rs.getLong(2),
                                rs.getLong(3),
                                rs.getBigDecimal(4)));
            }
            out.append("customer  orders     total\n");
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT customer, count(*), sum(total) FROM orders GROUP BY customer ORDER BY customer")) {
                while (rs.next()) {
                    out.append(
                            String.format(
                                    "%-8s %7d %9s%n",
                                    rs.getString(1), rs.getLong(2), rs.getBigDecimal(3)));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM _flink_duckdb_commits")) {
                rs.next();
                out.append(
                        String.format(
                                "committed in %d exactly-once transactions (see table _flink_duckdb_commits)%n",
                                rs.getLong(1)));
            }
        }
        return out.toString();
    }
}
