package io.github.flinkduckdb.otter.rabbitmq;

import io.github.flinkduckdb.testing.SerializerFuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The RabbitMQ source's split (with the ids a restore must not acknowledge twice) and enumerator
 * state live in checkpoints: random bytes either fail with a clear {@link IOException} or read as a
 * value that serializes back to exactly those bytes. The fuzz input's first byte picks the version
 * (0 to 3), the rest are the bytes.
 */
class RabbitMQStateFuzzTest {

    private static final RabbitMQSplitSerializer SPLITS = new RabbitMQSplitSerializer();
    private static final RabbitMQEnumeratorStateSerializer STATES =
            new RabbitMQEnumeratorStateSerializer();

    @FuzzTest(maxDuration = "30s")
    void splitBytesRestoreExactlyOrFail(byte[] input) throws IOException {
        SerializerFuzz.restoresExactlyOrFails(SPLITS, input);
    }

    @FuzzTest(maxDuration = "30s")
    void enumeratorStateBytesRestoreExactlyOrFail(byte[] input) throws IOException {
        SerializerFuzz.restoresExactlyOrFails(STATES, input);
    }

    @Test
    void truncatedPaddedAndOversizedSplitsAreIOExceptions() throws IOException {
        byte[] full = SPLITS.serialize(new RabbitMQSplit("orders", 3, List.of("m-1", "m-2")));
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            assertThatThrownBy(() -> SPLITS.deserialize(1, cut))
                    .as("first %d of %d bytes", n, full.length)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("Corrupt RabbitMQ split");
        }
        // Before: the extra byte was ignored.
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        assertThatThrownBy(() -> SPLITS.deserialize(1, longer))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt RabbitMQ split orders#3: 1 unexpected bytes at the end");
        // An id count of 2^31-1 (after the queue's 2-byte length, "orders" and the slot): before,
        // an OutOfMemoryError allocating the list.
        byte[] count = full.clone();
        count[12] = 0x7f;
        count[13] = (byte) 0xff;
        count[14] = (byte) 0xff;
        count[15] = (byte) 0xff;
        assertThatThrownBy(() -> SPLITS.deserialize(1, count))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "Corrupt RabbitMQ split orders#3 pending ids: count 2147483647");
        // A negative id length: before, a NegativeArraySizeException.
        byte[] negative = full.clone();
        negative[16] = (byte) 0xff;
        assertThatThrownBy(() -> SPLITS.deserialize(1, negative))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "Corrupt RabbitMQ split orders#3 pending id length: count -");
        assertThatThrownBy(() -> STATES.deserialize(1, new byte[5]))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Corrupt RabbitMQ source enumerator state: 1 unexpected bytes at the end");
        assertThatThrownBy(() -> STATES.deserialize(1, new byte[3]))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt RabbitMQ source enumerator state: truncated (3 bytes)");
    }
}
