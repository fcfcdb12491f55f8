package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.state.StateBytes;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned serializer of {@link DuckDBCommittable}: committables live in checkpoints and
 * savepoints, so every change of this format gets a new version and keeps reading the old ones.
 *
 * <p>Version 1: id, job id (nullable), subtask, attempt, sequence, row count, payload format,
 * columns (name, type SQL, nullable), batch-id flag, payload bytes.
 *
 * <p>Version 2: as version 1, then the upsert key (count, then each column name) after the batch-id
 * flag. Version 1 committables are read as appends.
 *
 * <p>Reading is strict ({@link StateBytes}): corrupt or truncated bytes fail with an {@link
 * IOException}; what is read serializes back to the same bytes, up to the spelling of a column type
 * ({@code INT} is read as, and written back as, {@code INTEGER}).
 */
@Internal
public final class DuckDBCommittableSerializer
        implements SimpleVersionedSerializer<DuckDBCommittable> {

    public static final int VERSION = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(DuckDBCommittable c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(c.payload().length + 256);
        writeString(out, c.id());
        out.writeBoolean(c.jobId() != null);
        if (c.jobId() != null) {
            writeString(out, c.jobId());
        }
        out.writeInt(c.subtask());
        out.writeInt(c.attempt());
        out.writeLong(c.sequence());
        out.writeLong(c.rowCount());
        out.writeByte(c.format().ordinal());
        out.writeInt(c.columns().size());
        for (ColumnSchema col : c.columns()) {
            writeString(out, col.name());
            writeString(out, col.type().toSql());
            out.writeBoolean(col.nullable());
        }
        out.writeBoolean(c.hasBatchIdColumn());
        out.writeInt(c.upsertKey().size());
        for (String key : c.upsertKey()) {
            writeString(out, key);
        }
        out.writeInt(c.payload().length);
        out.write(c.payload());
        return out.getCopyOfBuffer();
    }

    @Override
    public DuckDBCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 && version != 2) {
            throw new IOException(
                    "Unknown DuckDBCommittable serializer version "
                            + version
                            + " (this flink-connector-duckdb reads versions 1 and 2); was the checkpoint written by a newer version?");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        try {
            return read(version, in);
        } catch (EOFException e) {
            throw new IOException(
                    "Corrupt committable: truncated (" + serialized.length + " bytes)", e);
        } catch (IllegalArgumentException e) {
            // A type text DuckDBType cannot read, an empty column name.
            throw new IOException("Corrupt committable: " + e.getMessage(), e);
        }
    }

    private static DuckDBCommittable read(int version, DataInputDeserializer in)
            throws IOException {
        String id = readString(in, "committable id");
        String what = "committable " + id;
        String jobId = StateBytes.readBoolean(in, what) ? readString(in, what + " job id") : null;
        int subtask = in.readInt();
        int attempt = in.readInt();
        long sequence = in.readLong();
        long rows = in.readLong();
        int formatOrdinal = in.readByte();
        DuckDBCommittable.PayloadFormat[] formats = DuckDBCommittable.PayloadFormat.values();
        if (formatOrdinal < 0 || formatOrdinal >= formats.length) {
            throw new IOException(
                    "Unknown payload format " + formatOrdinal + " in committable " + id);
        }
        // A column takes at least 9 bytes: two lengths and the nullable flag.
        int columnCount = StateBytes.readCount(in, 9, what + " columns");
        List<ColumnSchema> columns = new ArrayList<>(columnCount);
        for (int i = 0; i < columnCount; i++) {
            String name = readString(in, what + " column name");
            DuckDBType type = DuckDBType.parse(readString(in, what + " column " + name + " type"));
            boolean nullable = StateBytes.readBoolean(in, what);
            columns.add(new ColumnSchema(name, type, nullable, null));
        }
        boolean batchIdColumn = StateBytes.readBoolean(in, what);
        List<String> upsertKey = new ArrayList<>();
        if (version >= 2) {
            int keys = in.readInt();
            if (keys < 0 || keys > columnCount) {
                throw new IOException("Corrupt committable " + id + ": " + keys + " key columns");
            }
            for (int i = 0; i < keys; i++) {
                upsertKey.add(readString(in, what + " key column"));
            }
        }
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("Corrupt committable " + id + ": payload length " + length);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        StateBytes.expectEnd(in, what);
        return new DuckDBCommittable(
                id,
                jobId,
                subtask,
                attempt,
                sequence,
                rows,
                formats[formatOrdinal],
                columns,
                batchIdColumn,
                upsertKey,
                payload);
    }

    private static void writeString(DataOutputSerializer out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputDeserializer in, String what) throws IOException {
        return StateBytes.readUtf8(in, what);
    }
}
