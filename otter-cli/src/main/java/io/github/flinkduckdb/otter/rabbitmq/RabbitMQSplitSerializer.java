package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Version 1: queue, slot, then the pending ids (a count, then each id). */
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
        String queue = in.readUTF();
        int slot = in.readInt();
        return new RabbitMQSplit(queue, slot, readIds(in));
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

    static List<String> readIds(DataInputDeserializer in) throws IOException {
        int n = in.readInt();
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            ids.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
        }
        return ids;
    }
}
