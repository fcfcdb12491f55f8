package io.github.flinkduckdb.otter.rabbitmq;

import io.github.flinkduckdb.state.StateBytes;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.EOFException;
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
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        try {
            int nextSlot = in.readInt();
            StateBytes.expectEnd(in, "RabbitMQ source enumerator state");
            return new RabbitMQEnumeratorState(nextSlot);
        } catch (EOFException e) {
            throw new IOException(
                    "Corrupt RabbitMQ source enumerator state: truncated ("
                            + serialized.length
                            + " bytes)",
                    e);
        }
    }
}
