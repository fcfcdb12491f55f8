package io.github.flinkduckdb.source;

import io.github.flinkduckdb.state.StateBytes;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.EOFException;
import java.io.IOException;

/**
 * Versioned serializer of {@link DuckDBSourceSplit}. Version 1: id, range flag, range column,
 * lower, upper, offset.
 */
@Internal
public final class DuckDBSourceSplitSerializer
        implements SimpleVersionedSerializer<DuckDBSourceSplit> {

    public static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(DuckDBSourceSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    static void write(DuckDBSourceSplit split, DataOutputSerializer out) throws IOException {
        out.writeUTF(split.splitId());
        out.writeBoolean(split.rangeColumn() != null);
        if (split.rangeColumn() != null) {
            out.writeUTF(split.rangeColumn());
        }
        out.writeLong(split.lower());
        out.writeLong(split.upper());
        out.writeLong(split.offset());
    }

    @Override
    public DuckDBSourceSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException(
                    "Unknown DuckDBSourceSplit serializer version "
                            + version
                            + " (this version reads "
                            + VERSION
                            + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        try {
            DuckDBSourceSplit split = read(in);
            StateBytes.expectEnd(in, "DuckDB source split " + split.splitId());
            return split;
        } catch (EOFException e) {
            throw truncated("DuckDB source split", serialized, e);
        }
    }

    static IOException truncated(String what, byte[] serialized, EOFException e) {
        return new IOException(
                "Corrupt " + what + ": truncated (" + serialized.length + " bytes)", e);
    }

    /** Reads what {@link #write} wrote, strictly ({@link StateBytes}). */
    static DuckDBSourceSplit read(DataInputDeserializer in) throws IOException {
        String id = StateBytes.readModifiedUtf8(in, "DuckDB source split id");
        String what = "DuckDB source split " + id;
        String column =
                StateBytes.readBoolean(in, what)
                        ? StateBytes.readModifiedUtf8(in, what + " range column")
                        : null;
        long lower = in.readLong();
        long upper = in.readLong();
        long offset = in.readLong();
        return new DuckDBSourceSplit(id, column, lower, upper, offset);
    }
}
