package io.github.flinkduckdb.otter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.github.flinkduckdb.otter.SeedModelsITCase.drain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures become exact dead-letter records (original bytes, error, model, stage, source metadata)
 * and the good messages, and the failing messages' other models, still produce their rows.
 */
class DeadLetterITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    static final String[] BODIES = {
        order(2001, "[" + item("17", 2, "1.50") + "]"),
        "{\"order_id\": 2002, \"items\": [",
        order(2003, "[" + item("18", 1, "2.00") + ", " + item("X-9", 3, "1.00") + "]"),
        "{\"order_id\": \"two\"}",
        order(2005, "[]"),
        order(2006, "[" + item("19", 100, "99999999.99") + "]"),
        order(2007, "[" + item("20", 1, "5.00") + "]")
    };

    private static String order(long id, String items) {
        return "{\"order_id\": "
                + id
                + ", \"user\": {\"id\": 1, \"name\": \"Ada\"}, \"items\": "
                + items
                + ", \"currency\": \"EUR\", \"placed_at\": \"2026-11-01T10:00:00Z\"}";
    }

    private static String item(String sku, int quantity, String price) {
        return "{\"sku\": \""
                + sku
                + "\", \"name\": \"n\", \"quantity\": "
                + quantity
                + ", \"price\": "
                + price
                + "}";
    }

    static OtterTransform transform(boolean microBatching) {
        return transformBuilder(microBatching).build();
    }

    /**
     * The seed's models plus sku_numbers (fails for 'X-9') and order_totals (NOT NULL, DECIMAL).
     */
    static OtterTransformBuilder transformBuilder(boolean microBatching) {
        return OtterFixtures.seedTransform()
                .addModel(
                        "sku_numbers",
                        "SELECT incoming.order_id, CAST(unnest.sku AS INTEGER) AS sku_number"
                                + " FROM incoming, unnest(incoming.items)")
                .addModel(
                        "order_totals",
                        "SELECT incoming.order_id, list_sum([i.price * i.quantity FOR i IN"
                                + " incoming.items]) AS order_total FROM incoming")
                .outputSchema(
                        "order_totals",
                        "order_id BIGINT NOT NULL, order_total DECIMAL(10,2) NOT NULL")
                .microBatching(microBatching);
    }

    /** The dead letters of {@link #BODIES}, in message order, from subtask 0. */
    static List<OtterDeadLetter> expectedDeadLetters() {
        return Arrays.asList(
                expected(
                        1,
                        OtterStage.PARSE,
                        null,
                        "malformed JSON at line 1, column 30: Unexpected end-of-input: expected close"
                                + " marker for Array"),
                expected(
                        2,
                        OtterStage.TRANSFORM,
                        "sku_numbers",
                        "Conversion Error: Could not convert string 'X-9' to INT32"),
                expected(
                        3,
                        OtterStage.PARSE,
                        null,
                        "field 'order_id' (BIGINT): expected a whole number, got a string"),
                expected(
                        4,
                        OtterStage.CONVERT,
                        "order_totals",
                        "column 'order_total' is NOT NULL but the model gave NULL"),
                expected(
                        5,
                        OtterStage.CONVERT,
                        "order_totals",
                        "column 'order_total' (DECIMAL(10,2)): has more digits than"
                                + " DECIMAL(10,2) holds"));
    }

    private static OtterDeadLetter expected(
            int index, OtterStage stage, String model, String error) {
        OtterDeadLetter d = OtterDeadLetter.of(message(index), index, 0, stage, model, error);
        return d;
    }

    static OtterMessage message(int index) {
        return OtterMessage.of(
                        BODIES[index].getBytes(StandardCharsets.UTF_8),
                        "orders.raw",
                        0,
                        100L + index)
                .withMessageId("m-" + index);
    }

    @ParameterizedTest(name = "micro-batching {0}")
    @ValueSource(booleans = {true, false})
    void failuresBecomeExactDeadLettersAndGoodMessagesKeepTheirRows(boolean microBatching)
            throws Exception {
        OtterTransform otter = transform(microBatching);
        assertThat(otter.model("sku_numbers").isRowLocal()).isTrue();
        List<OtterMessage> messages = new ArrayList<>();
        for (int i = 0; i < BODIES.length; i++) {
            messages.add(message(i));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterStreams out =
                otter.applyToMessages(
                        env.fromData(messages, TypeInformation.of(OtterMessage.class)));
        CloseableIterator<Row> orders = out.rows("orders").collectAsync();
        CloseableIterator<Row> purchases = out.rows("purchases").collectAsync();
        CloseableIterator<Row> skuNumbers = out.rows("sku_numbers").collectAsync();
        CloseableIterator<Row> totals = out.rows("order_totals").collectAsync();
        CloseableIterator<OtterDeadLetter> deadLetters = out.deadLetters().collectAsync();
        env.execute("dead letters");

        assertThat(drain(deadLetters)).containsExactlyElementsOf(expectedDeadLetters());

        assertRowsOfTheGoodMessages(
                drain(orders), drain(purchases), drain(skuNumbers), drain(totals));
    }

    /** The rows {@link #BODIES} give, model by model. */
    static void assertRowsOfTheGoodMessages(
            List<Row> orders, List<Row> purchases, List<Row> skuNumbers, List<Row> totals) {
        assertThat(column(orders, 0)).containsExactly(2001L, 2003L, 2005L, 2006L, 2007L);
        assertThat(column(purchases, 1)).containsExactly("17", "18", "X-9", "19", "20");
        assertThat(skuNumbers)
                .containsExactly(Row.of(2001L, 17), Row.of(2006L, 19), Row.of(2007L, 20));
        assertThat(totals)
                .containsExactly(
                        Row.of(2001L, new BigDecimal("3.00")),
                        Row.of(2003L, new BigDecimal("5.00")),
                        Row.of(2007L, new BigDecimal("5.00")));
    }

    private static List<Object> column(List<Row> rows, int index) {
        List<Object> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(r.getField(index));
        }
        return out;
    }
}
