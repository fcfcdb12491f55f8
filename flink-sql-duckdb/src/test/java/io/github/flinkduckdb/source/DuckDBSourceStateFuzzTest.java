package io.github.flinkduckdb.source;

import io.github.flinkduckdb.testing.SerializerFuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DuckDB source's splits and enumerator state live in checkpoints: random bytes either fail
 * with a clear {@link IOException} or read as a value that serializes back to exactly those bytes
 * (nothing is restored that was not written). The fuzz input's first byte picks the version (0 to
 * 3), the rest are the bytes.
 */
class DuckDBSourceStateFuzzTest {

    private static final DuckDBSourceSplitSerializer SPLITS = new DuckDBSourceSplitSerializer();
    private static final DuckDBEnumeratorStateSerializer STATES =
            new DuckDBEnumeratorStateSerializer();

    @FuzzTest(maxDuration = "30s")
    void splitBytesRestoreExactlyOrFail(byte[] input) throws IOException {
        SerializerFuzz.restoresExactlyOrFails(SPLITS, input);
    }

    @FuzzTest(maxDuration = "30s")
    void enumeratorStateBytesRestoreExactlyOrFail(byte[] input) throws IOException {
        SerializerFuzz.restoresExactlyOrFails(STATES, input);
    }

    @Test
    void truncatedAndPaddedStateIsAnIOException() throws IOException {
        DuckDBSourceSplit split = new DuckDBSourceSplit("s-0", "id", 0L, 100L, 5L);
        byte[] full =
                STATES.serialize(new DuckDBEnumeratorState(true, Arrays.asList(split, split)));
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            assertThatThrownBy(() -> STATES.deserialize(1, cut))
                    .as("first %d of %d bytes", n, full.length)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("Corrupt DuckDB source");
        }
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        assertThatThrownBy(() -> STATES.deserialize(1, longer))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Corrupt DuckDB source enumerator state: 1 unexpected bytes at the end");
        // A split count of 2^31-1: before, an OutOfMemoryError allocating the list.
        byte[] count = full.clone();
        count[1] = 0x7f;
        count[2] = (byte) 0xff;
        count[3] = (byte) 0xff;
        count[4] = (byte) 0xff;
        assertThatThrownBy(() -> STATES.deserialize(1, count))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "Corrupt DuckDB source enumerator state splits: count 2147483647");
        // The range flag as 2 (after the id's 2-byte length and "s-0"): before, read as true.
        byte[] one = SPLITS.serialize(split);
        one[5] = 2;
        assertThatThrownBy(() -> SPLITS.deserialize(1, one))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt DuckDB source split s-0: flag byte 2 is neither 0 nor 1");
    }
}
