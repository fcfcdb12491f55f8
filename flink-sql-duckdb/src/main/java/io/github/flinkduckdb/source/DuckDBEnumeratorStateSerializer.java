package io.github.flinkduckdb.source;

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
 * Versioned serializer of {@link DuckDBEnumeratorState}. Version 1: planned flag, split count,
 * splits (as {@link DuckDBSourceSplitSerializer} version 1 writes them).
 */
@Internal
public final class DuckDBEnumeratorStateSerializer
        implements SimpleVersionedSerializer<DuckDBEnumeratorState> {

    public static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(DuckDBEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        out.writeBoolean(state.planned());
        out.writeInt(state.remaining().size());
        for (DuckDBSourceSplit split : state.remaining()) {
            DuckDBSourceSplitSerializer.write(split, out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public DuckDBEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException(
                    "Unknown DuckDBEnumeratorState serializer version "
                            + version
                            + " (this version reads "
                            + VERSION
                            + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String what = "DuckDB source enumerator state";
        try {
            boolean planned = StateBytes.readBoolean(in, what);
            // A split takes at least 27 bytes: id length, flag, three longs.
            int n = StateBytes.readCount(in, 27, what + " splits");
            List<DuckDBSourceSplit> splits = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                splits.add(DuckDBSourceSplitSerializer.read(in));
            }
            StateBytes.expectEnd(in, what);
            return new DuckDBEnumeratorState(planned, splits);
        } catch (EOFException e) {
            throw DuckDBSourceSplitSerializer.truncated(what, serialized, e);
        }
    }
}
