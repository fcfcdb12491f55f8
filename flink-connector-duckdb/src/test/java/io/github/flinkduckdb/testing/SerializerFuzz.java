package io.github.flinkduckdb.testing;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The check every checkpoint-state fuzz test makes of its serializer. */
public final class SerializerFuzz {

    private SerializerFuzz() {}

    /**
     * The fuzz input's first byte picks the version (0 to 3), the rest are the bytes: they restore
     * exactly (serialized again, the same bytes: nothing is restored that was not written) or fail
     * with an {@link IOException} saying "Corrupt ..." or "Unknown ...".
     */
    public static <T> void restoresExactlyOrFails(
            SimpleVersionedSerializer<T> serializer, byte[] input) throws IOException {
        int version = input.length == 0 ? 1 : input[0] & 3;
        byte[] bytes = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        T restored;
        try {
            restored = serializer.deserialize(version, bytes);
        } catch (IOException e) {
            assertThat(e.getMessage()).matches("(?s)(Corrupt|Unknown) .*");
            return;
        }
        assertThat(serializer.serialize(restored)).isEqualTo(bytes);
    }
}
