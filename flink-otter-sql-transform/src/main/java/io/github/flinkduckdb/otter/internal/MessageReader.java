package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterMessage;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/** Turns the transform's input records into {@link OtterMessage}s. */
@Internal
public interface MessageReader<IN> extends Serializable {

    OtterMessage read(IN record);

    /** Raw JSON bytes. */
    static MessageReader<byte[]> bytes() {
        return OtterMessage::of;
    }

    /** JSON text, sent on as UTF-8 bytes. */
    static MessageReader<String> strings() {
        return s -> OtterMessage.of(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    /** Messages with source metadata. */
    static MessageReader<OtterMessage> messages() {
        return m -> m;
    }
}
