package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.sink.DuckDBSink;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's {@code orders.sql} and {@code purchases.sql}, verbatim, on fixture orders in a Flink
 * job: exact rows, including an order without items (no purchase rows) and one with three items.
 */
class SeedModelsITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    static final List<Row> ORDERS =
            List.of(
                    Row.of(
                            1001L,
                            42L,
                            "Ada",
                            1L,
                            new BigDecimal("19.98"),
                            "EUR",
                            Instant.parse("2026-11-01T10:15:00Z")),
                    Row.of(
                            1002L,
                            7L,
                            "Grace",
                            3L,
                            new BigDecimal("50.15"),
                            "USD",
                            Instant.parse("2026-11-01T11:00:00Z")),
                    Row.of(
                            1003L,
                            42L,
                            "Ada",
                            0L,
                            null,
                            "EUR",
                            Instant.parse("2026-11-01T11:30:00Z")),
                    Row.of(
                            1004L,
                            99L,
                            "Linus",
                            2L,
                            new BigDecimal("19.99"),
                            "GBP",
                            Instant.parse("2026-11-02T08:00:00Z")));

    static final List<Row> PURCHASES =
            List.of(
                    Row.of(
                            1001L,
                            "A-1",
                            "Widget",
                            2,
                            new BigDecimal("9.99"),
                            new BigDecimal("19.98"),
                            42L,
                            Instant.parse("2026-11-01T10:15:00Z")),
                    Row.of(
                            1002L,
                            "B-1",
                            "Gadget",
                            1,
                            new BigDecimal("24.50"),
                            new BigDecimal("24.50"),
                            7L,
                            Instant.parse("2026-11-01T11:00:00Z")),
                    Row.of(
                            1002L,
                            "B-2",
                            "Gizmo",
                            3,
                            new BigDecimal("5.25"),
                            new BigDecimal("15.75"),
                            7L,
                            Instant.parse("2026-11-01T11:00:00Z")),
                    Row.of(
                            1002L,
                            "B-3",
                            "Doohickey",
                            10,
                            new BigDecimal("0.99"),
                            new BigDecimal("9.90"),
                            7L,
                            Instant.parse("2026-11-01T11:00:00Z")),
                    Row.of(
                            1004L,
                            "C-1",
                            "Sprocket",
                            4,
                            new BigDecimal("2.50"),
                            new BigDecimal("10.00"),
                            99L,
                            Instant.parse("2026-11-02T08:00:00Z")),
                    Row.of(
                            1004L,
                            "A-1",
                            "Widget",
                            1,
                            new BigDecimal("9.99"),
                            new BigDecimal("9.99"),
                            99L,
                            Instant.parse("2026-11-02T08:00:00Z")));

    @Test
    void outputSchemasAreKnownWhenTheJobIsBuilt() {
        OtterTransform otter = OtterFixtures.seedTransform().build();
        assertThat(otter.modelNames()).containsExactly("orders", "purchases");
        assertThat(otter.model("orders").isRowLocal()).isTrue();
        assertThat(otter.model("purchases").isRowLocal()).isTrue();
        assertThat(otter.rowType("orders").getFieldNames())
                .containsExactly(
                        "order_id",
                        "user_id",
                        "user_name",
                        "item_count",
                        "order_total",
                        "currency",
                        "placed_at");
        assertThat(otter.rowType("orders").getTypeAt(4)).isEqualTo(Types.BIG_DEC);
        assertThat(otter.rowType("orders").getTypeAt(6)).isEqualTo(Types.INSTANT);
        assertThat(otter.createTableSql("purchases", "purchases"))
                .isEqualTo(
                        "CREATE TABLE \"purchases\" (\"order_id\" BIGINT, \"sku\" VARCHAR,"
                                + " \"product_name\" VARCHAR, \"quantity\" INTEGER, \"unit_price\""
                                + " DECIMAL(10,2), \"line_total\" DECIMAL(18,2), \"user_id\" BIGINT,"
                                + " \"placed_at\" TIMESTAMP WITH TIME ZONE)");
        assertThat(otter.createTableSql("purchases", "analytics.purchases"))
                .startsWith(
                        "CREATE SCHEMA IF NOT EXISTS \"analytics\"; CREATE TABLE \"analytics\".\"purchases\" (");
    }

    @Test
    void seedModelsProduceExactRowsPerOrder() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterStreams out =
                OtterFixtures.seedTransform()
                        .build()
                        .applyToStrings(env.fromData(OtterFixtures.orders()));
        CloseableIterator<Row> orders = out.rows("orders").collectAsync();
        CloseableIterator<Row> purchases = out.rows("purchases").collectAsync();
        CloseableIterator<OtterDeadLetter> deadLetters = out.deadLetters().collectAsync();
        env.execute("seed models");

        assertThat(drain(orders)).containsExactlyElementsOf(ORDERS);
        assertThat(drain(purchases)).containsExactlyElementsOf(PURCHASES);
        assertThat(drain(deadLetters)).isEmpty();
    }

    @Test
    void seedModelsWriteTheirRowsIntoDuckDBTables() throws Exception {
        Path db = dir.resolve("shop.duckdb");
        String url = "jdbc:duckdb:" + db;
        OtterTransform otter = OtterFixtures.seedTransform().build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200);
        OtterStreams out = otter.applyToStrings(env.fromData(OtterFixtures.orders()));
        for (String model : otter.modelNames()) {
            out.rows(model)
                    .sinkTo(
                            DuckDBSink.forRows(url, model)
                                    .setCreateTableSql(otter.createTableSql(model, model))
                                    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                    .build())
                    .name("DuckDB " + model);
        }
        env.execute("seed models to DuckDB");

        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT * FROM orders ORDER BY order_id"))
                    .containsExactlyElementsOf(ORDERS);
            assertThat(rows(st, "SELECT * FROM purchases ORDER BY order_id, sku DESC"))
                    .containsExactly(
                            PURCHASES.get(0),
                            PURCHASES.get(3),
                            PURCHASES.get(2),
                            PURCHASES.get(1),
                            PURCHASES.get(4),
                            PURCHASES.get(5));
            assertThat(rows(st, "SELECT count(*) FROM purchases WHERE order_id = 1003"))
                    .containsExactly(Row.of(0L));
        }
    }

    @Test
    void modelRowsAsMapsFitDuckDBSinkForMaps() throws Exception {
        Path db = dir.resolve("maps.duckdb");
        String url = "jdbc:duckdb:" + db;
        OtterTransform otter = OtterFixtures.seedTransform().build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterStreams out = otter.applyToStrings(env.fromData(OtterFixtures.orders()));
        out.maps("purchases")
                .sinkTo(
                        DuckDBSink.forMaps(url, "purchases")
                                .setCreateTableSql(otter.createTableSql("purchases", "purchases"))
                                .build())
                .name("DuckDB purchases as maps");
        env.execute("seed models as maps");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT * FROM purchases ORDER BY order_id, sku DESC"))
                    .containsExactly(
                            PURCHASES.get(0),
                            PURCHASES.get(3),
                            PURCHASES.get(2),
                            PURCHASES.get(1),
                            PURCHASES.get(4),
                            PURCHASES.get(5));
        }
    }

    static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> closing = it) {
            closing.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<Row> rows(Statement st, String sql) throws Exception {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Object[] values = new Object[n];
                for (int i = 0; i < n; i++) {
                    Object v = rs.getObject(i + 1);
                    values[i] =
                            v instanceof java.time.OffsetDateTime
                                    ? ((java.time.OffsetDateTime) v).toInstant()
                                    : v;
                }
                out.add(Row.of(values));
            }
        }
        return out;
    }
}
