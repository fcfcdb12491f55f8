package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.otter.dlq.DeadLetterHeaders;

import com.rabbitmq.client.GetResponse;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The messages the broker tests feed the orders example: order {@code i} is good, malformed JSON
 * ({@link #malformed}) or fails the {@code shipping} model ({@link #failsShipping}, currency XXX,
 * with {@link #SHIPPING_FAILING} in place).
 */
public final class OrderMessages {

    /** A shipping model that fails on currency XXX. */
    public static final String SHIPPING_FAILING =
            "SELECT incoming.order_id,\n"
                    + "  CASE WHEN incoming.currency = 'XXX'\n"
                    + "       THEN error('unsupported currency ' || incoming.currency)\n"
                    + "       ELSE incoming.currency END AS currency\n"
                    + "FROM incoming\n";

    /** The same model, fixed. */
    public static final String SHIPPING_FIXED =
            "SELECT incoming.order_id, incoming.currency FROM incoming\n";

    private OrderMessages() {}

    public static String order(int i, String currency) {
        return "{\"order_id\": "
                + i
                + ", \"user\": {\"id\": "
                + (i % 7)
                + ", \"name\": \"u"
                + (i % 7)
                + "\"}, \"items\": [{\"sku\": \"S"
                + (i % 3)
                + "\", \"name\": \"thing\", \"quantity\": "
                + (1 + i % 4)
                + ", \"price\": 2.50}], \"currency\": \""
                + currency
                + "\", \"placed_at\": \"2024-05-01 10:00:00\"}";
    }

    public static boolean malformed(int i) {
        return i % 20 == 7;
    }

    public static boolean failsShipping(int i) {
        return i % 25 == 3;
    }

    /** Of messages 0..n-1 ({@link #message}): the ids in {@code orders} (all but malformed). */
    public static List<Integer> good(int n) {
        return IntStream.range(0, n).filter(i -> !malformed(i)).boxed().toList();
    }

    /** Of messages 0..n-1: the ids in {@code shipping} (neither malformed nor failing it). */
    public static List<Integer> shipped(int n) {
        return IntStream.range(0, n)
                .filter(i -> !malformed(i) && !failsShipping(i))
                .boxed()
                .toList();
    }

    /** Of messages 0..n-1: the ids of dead letters (malformed, or failing {@code shipping}). */
    public static List<Integer> deadLetters(int n) {
        return IntStream.range(0, n).filter(i -> malformed(i) || failsShipping(i)).boxed().toList();
    }

    /** Message {@code i}: malformed, failing shipping, or a good EUR/USD order. */
    public static String message(int i) {
        if (malformed(i)) {
            return "{\"order_id\": " + i + ", \"items\": [";
        }
        return order(i, failsShipping(i) ? "XXX" : (i % 2 == 0 ? "EUR" : "USD"));
    }

    /**
     * Checks a dead letter from RabbitMQ queue {@code source} whose message {@code i} had the id
     * {@code idPrefix + i}: body unchanged; stage parse (no model, "malformed JSON") for a
     * malformed one, stage transform with model shipping and its error otherwise. Returns {@code
     * i}.
     */
    public static int checkDeadLetter(GetResponse r, String source, String idPrefix) {
        String id = Rabbit.header(r, DeadLetterHeaders.MESSAGE_ID);
        assertThat(id).startsWith(idPrefix);
        int i = Integer.parseInt(id.substring(idPrefix.length()));
        assertThat(Rabbit.body(r)).as(id).isEqualTo(message(i));
        assertThat(Rabbit.header(r, DeadLetterHeaders.SOURCE)).as(id).isEqualTo(source);
        if (malformed(i)) {
            assertThat(Rabbit.header(r, DeadLetterHeaders.STAGE)).as(id).isEqualTo("parse");
            assertThat(Rabbit.header(r, DeadLetterHeaders.MODEL)).as(id).isNull();
            assertThat(Rabbit.header(r, DeadLetterHeaders.ERROR))
                    .as(id)
                    .startsWith("malformed JSON");
        } else {
            assertThat(failsShipping(i)).as(id + " is a good message").isTrue();
            assertThat(Rabbit.header(r, DeadLetterHeaders.STAGE)).as(id).isEqualTo("transform");
            assertThat(Rabbit.header(r, DeadLetterHeaders.MODEL)).as(id).isEqualTo("shipping");
            assertThat(Rabbit.header(r, DeadLetterHeaders.ERROR))
                    .as(id)
                    .contains("unsupported currency XXX");
        }
        return i;
    }
}
