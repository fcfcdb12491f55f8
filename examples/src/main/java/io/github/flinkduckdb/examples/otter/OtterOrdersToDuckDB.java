package io.github.flinkduckdb.examples.otter;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterStreams;
import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.sink.DuckDBSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Demo: Otter's {@code orders.sql} and {@code purchases.sql} on a stream of JSON orders, each model
 * into its own DuckDB table (exactly-once), bad messages into a {@code dead_letters} table, on an
 * embedded Flink MiniCluster; then a look at what landed.
 *
 * <p>The orders cycle through {@code otter/orders.jsonl} (an order without items, one with three,
 * one with a quantity of {@code "two"}, one cut off) with fresh order ids.
 *
 * <pre>
 * mvn -B -Pdemo -pl examples -am package -DskipTests \
 *     -Ddemo.main=io.github.flinkduckdb.examples.otter.OtterOrdersToDuckDB \
 *     -Ddemo.args=target/demo/otter.duckdb
 * </pre>
 */
public final class OtterOrdersToDuckDB {

    static final int ORDERS = 600;

    private OtterOrdersToDuckDB() {}

    public static void main(String[] args) throws Exception {
        Path database = Paths.get(args.length > 0 ? args[0] : "target/demo/otter.duckdb");
        run(database, ORDERS);
        System.out.println(summary(database));
    }

    /** The two models and the orders' schema, from the classpath. */
    static OtterTransform transform() {
        return OtterTransform.builder()
                .addModel("orders", resource("otter/models/orders.sql"))
                .addModel("purchases", resource("otter/models/purchases.sql"))
                .incomingSchema(resource("otter/incoming-schema.txt"))
                .build();
    }

    static List<String> fixture() {
        List<String> lines = new ArrayList<>();
        for (String line : resource("otter/orders.jsonl").split("\n")) {
            if (!line.trim().isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Order {@code i}: fixture line {@code i % lines} with order id {@code i + 1}. */
    static String order(List<String> fixture, long i) {
        return fixture.get((int) (i % fixture.size()))
                .replaceFirst("\"order_id\": \\d+", "\"order_id\": " + (i + 1));
    }

    /** Runs the job to the end (the source is bounded). */
    static void run(Path database, int orders) throws Exception {
        Files.createDirectories(database.toAbsolutePath().getParent());
        Files.deleteIfExists(database);
        Files.deleteIfExists(Paths.get(database + ".wal"));
        String url = "jdbc:duckdb:" + database.toAbsolutePath();

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(1_000);

        List<String> fixture = fixture();
        DataGeneratorSource<String> source =
                new DataGeneratorSource<>(
                        i -> order(fixture, i),
                        orders,
                        RateLimiterStrategy.perSecond(500),
                        Types.STRING);
        DataStream<String> messages =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "orders.raw");

        // Validates the models and fixes each model's row type before the job starts.
        OtterTransform otter = transform();
        OtterStreams out = otter.applyToStrings(messages);
        out.operator().uid("otter-models");

        for (String model : otter.modelNames()) {
            out.rows(model)
                    .sinkTo(
                            DuckDBSink.forRows(url, model)
                                    .setCreateTableSql(otter.createTableSql(model, model))
                                    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                    .build())
                    .name("DuckDB " + model)
                    .uid("duckdb-" + model);
        }
        out.deadLetters()
                .map(OtterOrdersToDuckDB::deadLetterRow)
                .returns(Types.MAP(Types.STRING, Types.GENERIC(Object.class)))
                .sinkTo(
                        DuckDBSink.forMaps(url, "dead_letters")
                                .setCreateTableSql(
                                        "CREATE TABLE dead_letters (message_number BIGINT, stage"
                                                + " VARCHAR, model VARCHAR, error VARCHAR, body"
                                                + " VARCHAR)")
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .build())
                .name("DuckDB dead_letters")
                .uid("duckdb-dead-letters");

        env.execute("Otter orders to DuckDB");
    }

    static Map<String, Object> deadLetterRow(OtterDeadLetter d) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("message_number", d.getMessageNumber());
        row.put("stage", d.getStage().label());
        row.put("model", d.getModel());
        row.put("error", d.getError());
        row.put("body", d.payloadAsString());
        return row;
    }

    /** What landed, read back with DuckDB. */
    static String summary(Path database) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c =
                        DriverManager.getConnection("jdbc:duckdb:" + database.toAbsolutePath());
                Statement st = c.createStatement()) {
            for (String table : new String[] {"orders", "purchases", "dead_letters"}) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    out.append(String.format("%-13s %6d rows%n", table, rs.getLong(1)));
                }
            }
            out.append("\nrevenue by currency (orders joined with purchases):\n");
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT o.currency, count(DISTINCT o.order_id) AS orders,"
                                    + " sum(p.line_total) AS revenue FROM orders o JOIN purchases p"
                                    + " USING (order_id) GROUP BY o.currency ORDER BY o.currency")) {
                while (rs.next()) {
                    out.append(
                            String.format(
                                    "  %-4s %5d orders %12s%n",
                                    rs.getString(1), rs.getLong(2), rs.getBigDecimal(3)));
                }
            }
            out.append("\ndead letters by stage:\n");
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT stage, count(*), min(error) FROM dead_letters GROUP BY stage"
                                    + " ORDER BY stage")) {
                while (rs.next()) {
                    out.append(
                            String.format(
                                    "  %-9s %4d  e.g. %s%n",
                                    rs.getString(1), rs.getLong(2), rs.getString(3)));
                }
            }
        }
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in =
                OtterOrdersToDuckDB.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
