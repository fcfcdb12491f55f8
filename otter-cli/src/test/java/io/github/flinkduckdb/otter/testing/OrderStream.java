package io.github.flinkduckdb.otter.testing;

import com.rabbitmq.client.GetResponse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.github.flinkduckdb.otter.testing.OrderMessages.malformed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream the broker fault tests feed the orders project ({@link
 * TestProjects#rabbitMQOrders(java.nio.file.Path, String, String, int)}): messages {@code 0..n-1}
 * of {@link OrderMessages#message}, message {@code i} with the id {@code idPrefix + i}; what each
 * output must hold afterwards (good orders, shipped orders, dead letters), and how far an output is
 * from that ({@link OrderIds}).
 */
public final class OrderStream {

    private final String idPrefix;
    private final List<Integer> good;
    private final List<Integer> shipped;
    private final List<Integer> deadLetters;

    public OrderStream(String idPrefix, int n) {
        this.idPrefix = idPrefix;
        this.good = OrderMessages.good(n);
        this.shipped = OrderMessages.shipped(n);
        this.deadLetters = OrderMessages.deadLetters(n);
    }

    /** Orders that parse: the rows of {@code orders} and {@code purchases}. */
    public List<Integer> good() {
        return good;
    }

    /** Good orders the failing shipping model takes: the rows of {@code shipping}. */
    public List<Integer> shipped() {
        return shipped;
    }

    /** Malformed messages and orders the shipping model fails on: the dead letters. */
    public List<Integer> deadLetters() {
        return deadLetters;
    }

    /** Publishes messages {@code from..to-1} to {@code queue}. */
    public void publish(Rabbit rabbit, String queue, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            rabbit.publish(queue, OrderMessages.message(i), idPrefix + i);
        }
    }

    /**
     * Every dead letter in {@code letters} (drained from the DLQ of source queue {@code queue}),
     * body unchanged, with its headers and a stable message id; each expected one there, repeats
     * only as the publisher's documented limit allows after {@code restarts} restarts. Returns the
     * letters' ids in the order published.
     */
    public List<Integer> assertDeadLetters(List<GetResponse> letters, String queue, int restarts) {
        List<Integer> order = new ArrayList<>();
        for (GetResponse r : letters) {
            int i = OrderMessages.checkDeadLetter(r, queue, idPrefix);
            assertThat(r.getProps().getMessageId())
                    .as("the dead letter's message id")
                    .isEqualTo(idPrefix + i + (malformed(i) ? "/parse" : "/transform/shipping"));
            order.add(i);
        }
        assertThat(new TreeSet<>(order)).as("dead letters").containsExactlyElementsOf(deadLetters);
        // The publisher's documented limit: a restart restores the letters of its checkpoint, which
        // that checkpoint's completion may have published already. A repeat is then one earlier
        // transaction published again (the same letters in the same order), at most one per
        // restart.
        List<List<Integer>> repeats = repeatedBlocks(order);
        System.out.printf(
                "dead letters: %d published, %d distinct; published again: %s%n",
                order.size(), deadLetters.size(), repeats);
        assertThat(repeats.size()).as("repeated dead letter blocks").isLessThanOrEqualTo(restarts);
        for (List<Integer> block : repeats) {
            int first = order.indexOf(block.get(0));
            assertThat(order.subList(first, first + block.size()))
                    .as("a repeat is an earlier transaction again")
                    .isEqualTo(block);
        }
        return order;
    }

    /** Runs of consecutive letters whose id came earlier in {@code order}. */
    private static List<List<Integer>> repeatedBlocks(List<Integer> order) {
        List<List<Integer>> blocks = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        List<Integer> block = new ArrayList<>();
        for (int i : order) {
            if (!seen.add(i)) {
                block.add(i);
            } else if (!block.isEmpty()) {
                blocks.add(block);
                block = new ArrayList<>();
            }
        }
        if (!block.isEmpty()) {
            blocks.add(block);
        }
        return blocks;
    }
}
