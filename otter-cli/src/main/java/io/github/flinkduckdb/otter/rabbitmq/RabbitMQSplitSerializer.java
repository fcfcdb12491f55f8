package io.github.flinkduckdb.otter.rabbitmq;

import io.github.flinkduckdb.state.StateBytes;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Version 1: queue, slot, then the pending ids (a count, then each id). Read strictly ({@link
 * StateBytes}): corrupt or truncated bytes fail with an {@link IOException}.
 */
@Internal
public final class RabbitMQSplitSerializer implements SimpleVersionedSerializer<RabbitMQSplit> {

    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(RabbitMQSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 + 40 * split.pendingIds().size());
        out.writeUTF(split.queue());
        out.writeInt(split.slot());
        writeIds(out, split.pendingIds());
        return out.getCopyOfBuffer();
    }

    @Override
    public RabbitMQSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException(
                    "Unknown version "
                            + version
                            + " of a RabbitMQ source split (this source reads version "
                            + VERSION
                            + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        try {
            String queue = StateBytes.readModifiedUtf8(in, "RabbitMQ split queue");
            int slot = in.readInt();
            String what = "RabbitMQ split " + queue + "#" + slot;
            List<String> ids = readIds(in, what);
            StateBytes.expectEnd(in, what);
            return new RabbitMQSplit(queue, slot, ids);
        } catch (EOFException e) {
            throw new IOException(
                    "Corrupt RabbitMQ split: truncated (" + serialized.length + " bytes)", e);
        }
    }

    /** Ids as a count and UTF-8 strings of any length (message ids are not bounded by AMQP). */
    static void writeIds(DataOutputSerializer out, List<String> ids) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) {
            byte[] b = id.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static List<String> readIds(DataInputDeserializer in, String what) throws IOException {
        // An id takes at least its 4-byte length.
        int n = StateBytes.readCount(in, 4, what + " pending ids");
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(StateBytes.readUtf8(in, what + " pending id"));
        }
        return ids;
    }
}
