package io.github.flinkduckdb.otter.rabbitmq;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The split (reader state) and enumerator state round-trip through their versioned serializers. */
class RabbitMQSerializersTest {

    @Test
    void splitWithPendingIdsRoundTrips() throws Exception {
        List<String> ids = new ArrayList<>();
        ids.add("order-1");
        ids.add("ünïcødé-ïd ✓");
        ids.add("");
        ids.add("x".repeat(70_000)); // longer than writeUTF's 64 KiB limit
        RabbitMQSplit split = new RabbitMQSplit("orders", 3, ids);
        RabbitMQSplitSerializer s = new RabbitMQSplitSerializer();

        RabbitMQSplit back = s.deserialize(s.getVersion(), s.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.splitId()).isEqualTo("orders#3");
        assertThat(back.pendingIds()).containsExactlyElementsOf(ids);
    }

    @Test
    void emptySplitRoundTrips() throws Exception {
        RabbitMQSplit split = new RabbitMQSplit("q", 0, List.of());
        RabbitMQSplitSerializer s = new RabbitMQSplitSerializer();
        assertThat(s.deserialize(1, s.serialize(split))).isEqualTo(split);
    }

    @Test
    void enumeratorStateRoundTrips() throws Exception {
        RabbitMQEnumeratorStateSerializer s = new RabbitMQEnumeratorStateSerializer();
        RabbitMQEnumeratorState state = new RabbitMQEnumeratorState(17);
        assertThat(s.deserialize(s.getVersion(), s.serialize(state))).isEqualTo(state);
    }

    @Test
    void unknownVersionsAreRejectedWithTheVersion() {
        assertThatThrownBy(() -> new RabbitMQSplitSerializer().deserialize(2, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown version 2");
        assertThatThrownBy(
                        () -> new RabbitMQEnumeratorStateSerializer().deserialize(9, new byte[4]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown version 9");
    }
}
