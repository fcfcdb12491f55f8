package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.ShapedRow;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.types.Row;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The staging buffers of one model's Parquet writer: one buffer for the model's output columns, or,
 * for a model whose columns follow each message's shape ({@link ShapedRow}), one buffer per column
 * list met since the last checkpoint. Each buffer seals into its own chunk, so a chunk has one
 * schema; the commit merges chunks of one schema into one file set. Confined to the task thread.
 */
final class ParquetStagingBuffers implements AutoCloseable {

    private static final int MAX_REMEMBERED_LISTS = 4096;

    private final ParquetModelOutput output;
    private final Path staging;
    private final ParquetStagingBuffer fixed;
    private final Map<String, ParquetStagingBuffer> byShape = new LinkedHashMap<>();
    private final Map<List<ColumnSchema>, ParquetStagingBuffer> byColumns = new IdentityHashMap<>();
    private final Connection shapedConnection;

    ParquetStagingBuffers(ParquetModelOutput output, Path staging)
            throws SQLException, IOException {
        this.output = output;
        this.staging = staging;
        if (output.shaped()) {
            this.fixed = null;
            this.shapedConnection = DuckDBDriverConnections.inMemory();
        } else {
            this.fixed = newBuffer(output.columns());
            this.shapedConnection = null;
        }
    }

    private ParquetStagingBuffer newBuffer(List<ColumnSchema> columns)
            throws SQLException, IOException {
        return new ParquetStagingBuffer(
                columns,
                output.compression(),
                staging.resolve("spill-" + UUID.randomUUID()),
                output.memoryLimit());
    }

    /** A connection for the commit's merges (same thread). */
    Connection connection() {
        return fixed != null ? fixed.connection() : shapedConnection;
    }

    void add(Object value) throws SQLException, IOException {
        if (fixed != null) {
            fixed.add((Row) value);
            return;
        }
        ShapedRow shaped = (ShapedRow) value;
        bufferFor(shaped.columns()).add(shaped.row());
    }

    private ParquetStagingBuffer bufferFor(List<ColumnSchema> columns)
            throws SQLException, IOException {
        ParquetStagingBuffer buffer = byColumns.get(columns);
        if (buffer != null) {
            return buffer;
        }
        String key = key(columns);
        buffer = byShape.get(key);
        if (buffer == null) {
            checkPartitionColumns(columns);
            buffer = newBuffer(columns);
            byShape.put(key, buffer);
        }
        if (byColumns.size() >= MAX_REMEMBERED_LISTS) {
            // Lists of one shape are shared, but a long run may meet many copies of them.
            byColumns.clear();
        }
        byColumns.put(columns, buffer);
        return buffer;
    }

    /** A partition column every row needs: a shape without it cannot be written, so it fails. */
    private void checkPartitionColumns(List<ColumnSchema> columns) {
        for (String p : output.partitionBy()) {
            boolean found = false;
            for (ColumnSchema c : columns) {
                found |= c.name().toLowerCase(Locale.ROOT).equals(p.toLowerCase(Locale.ROOT));
            }
            if (!found) {
                throw new IllegalStateException(
                        "Model "
                                + output.model()
                                + ": a message gave rows without the partition_by column '"
                                + p
                                + "'; their columns are "
                                + columns.stream().map(ColumnSchema::name).toList()
                                + ". Select it in every row (e.g. coalesce(incoming."
                                + p
                                + ", 'unknown') AS "
                                + p
                                + ") or declare incoming.schema");
            }
        }
    }

    private static String key(List<ColumnSchema> columns) {
        StringBuilder sb = new StringBuilder();
        for (ColumnSchema c : columns) {
            sb.append(c.name()).append('\u0001').append(c.type().toSql()).append('\u0002');
        }
        return sb.toString();
    }

    long rows() {
        if (fixed != null) {
            return fixed.rows();
        }
        long n = 0;
        for (ParquetStagingBuffer b : byShape.values()) {
            n += b.rows();
        }
        return n;
    }

    /**
     * Seals every non-empty buffer into a chunk named by {@code name} (given a sequence number);
     * the buffers of shapes that got no rows since the last seal are closed.
     */
    List<ParquetChunk> seal(Path chunkRoot, ChunkNames names) throws SQLException, IOException {
        List<ParquetChunk> chunks = new ArrayList<>();
        if (fixed != null) {
            sealOne(fixed, chunkRoot, names, chunks);
            return chunks;
        }
        List<String> idle = new ArrayList<>();
        for (Map.Entry<String, ParquetStagingBuffer> e : byShape.entrySet()) {
            if (e.getValue().rows() == 0) {
                idle.add(e.getKey());
            } else {
                sealOne(e.getValue(), chunkRoot, names, chunks);
            }
        }
        for (String key : idle) {
            ParquetStagingBuffer b = byShape.remove(key);
            byColumns.values().removeIf(v -> v == b);
            b.close();
        }
        return chunks;
    }

    private static void sealOne(
            ParquetStagingBuffer buffer, Path chunkRoot, ChunkNames names, List<ParquetChunk> out)
            throws SQLException, IOException {
        if (buffer.rows() == 0) {
            return;
        }
        long rows = buffer.rows();
        long first = buffer.firstRowMillis();
        String name = names.next();
        long bytes = buffer.sealTo(chunkRoot.resolve(name));
        out.add(new ParquetChunk(name, bytes, rows, first));
    }

    /** Names the next chunk (relative to the chunk root). */
    interface ChunkNames {
        String next();
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        List<ParquetStagingBuffer> all = new ArrayList<>(byShape.values());
        if (fixed != null) {
            all.add(fixed);
        }
        for (ParquetStagingBuffer b : all) {
            try {
                b.close();
            } catch (SQLException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (shapedConnection != null) {
            shapedConnection.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
