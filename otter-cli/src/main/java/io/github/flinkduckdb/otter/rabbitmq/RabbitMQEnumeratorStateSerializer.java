package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;

/** Version 1: the next slot number. */
@Internal
public final class RabbitMQEnumeratorStateSerializer
        implements SimpleVersionedSerializer<RabbitMQEnumeratorState> {

    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(RabbitMQEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4);
        out.writeInt(state.nextSlot());
        return out.getCopyOfBuffer();
    }

    @Override
    public RabbitMQEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException(
                    "Unknown version "
                            + version
                            + " of the RabbitMQ source enumerator state (this source reads version "
                            + VERSION
                            + ")");
        }
        return new RabbitMQEnumeratorState(new DataInputDeserializer(serialized).readInt());
    }
}
