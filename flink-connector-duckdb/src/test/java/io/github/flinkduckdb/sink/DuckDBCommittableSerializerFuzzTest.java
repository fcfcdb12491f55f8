package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Committables live in checkpoints: corrupt or truncated bytes fail with a clear {@link
 * IOException}, never restore a different committable. Whatever is read serializes to bytes that
 * read back as the same committable and are then stable (the spelling of a column type is the one
 * thing that may change: {@code INT} is written back as {@code INTEGER}). The fuzz input's first
 * byte picks the version (0 to 3), the rest are the bytes.
 */
class DuckDBCommittableSerializerFuzzTest {

    private static final DuckDBCommittableSerializer SERIALIZER = new DuckDBCommittableSerializer();

    @FuzzTest(maxDuration = "60s")
    void restoresTheSameCommittableOrFailsWithIOException(byte[] input) throws IOException {
        int version = input.length == 0 ? 2 : input[0] & 3;
        byte[] bytes = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        DuckDBCommittable restored;
        try {
            restored = SERIALIZER.deserialize(version, bytes);
        } catch (IOException e) {
            assertThat(e.getMessage()).matches("(?s)(Corrupt|Unknown) .*");
            return;
        }
        byte[] again = SERIALIZER.serialize(restored);
        DuckDBCommittable back = SERIALIZER.deserialize(DuckDBCommittableSerializer.VERSION, again);
        assertThat(back).isEqualTo(restored);
        assertThat(SERIALIZER.serialize(back)).isEqualTo(again);
    }

    private static DuckDBCommittable sample() {
        return new DuckDBCommittable(
                "c-1",
                "job",
                1,
                0,
                7L,
                2L,
                DuckDBCommittable.PayloadFormat.values()[0],
                Arrays.asList(
                        new ColumnSchema("id", DuckDBType.parse("BIGINT"), false, null),
                        new ColumnSchema("tags", DuckDBType.parse("VARCHAR[]"), true, null)),
                false,
                Collections.singletonList("id"),
                "rows".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyTruncationOfACommittableIsAnIOException() throws IOException {
        byte[] full = SERIALIZER.serialize(sample());
        assertThat(SERIALIZER.deserialize(2, full)).isEqualTo(sample());
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            assertThatThrownBy(() -> SERIALIZER.deserialize(2, cut))
                    .as("first %d of %d bytes", n, full.length)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("Corrupt committable");
        }
    }

    @Test
    void corruptionsThatUsedToRestoreSomethingElseAreIOExceptions() throws IOException {
        byte[] full = SERIALIZER.serialize(sample());
        // A trailing byte: before, ignored.
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, longer))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt committable c-1: 1 unexpected bytes at the end");
        // The job-id flag (after the 4-byte length and "c-1") as 2: before, read as true.
        byte[] flag = full.clone();
        flag[7] = 2;
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, flag))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt committable c-1: flag byte 2 is neither 0 nor 1");
        // The id as invalid UTF-8: before, read with replacement characters.
        byte[] text = full.clone();
        text[4] = (byte) 0xC3;
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, text))
                .isInstanceOf(IOException.class)
                .hasMessage("Corrupt committable id: not UTF-8 text");
        // A column count of 2^31-1: before, an OutOfMemoryError allocating the list.
        byte[] count = full.clone();
        int at = 4 + 3 + 1 + 4 + 3 + 4 + 4 + 8 + 8 + 1;
        count[at] = 0x7f;
        count[at + 1] = (byte) 0xff;
        count[at + 2] = (byte) 0xff;
        count[at + 3] = (byte) 0xff;
        assertThatThrownBy(() -> SERIALIZER.deserialize(2, count))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("Corrupt committable c-1 columns: count 2147483647");
    }
}
