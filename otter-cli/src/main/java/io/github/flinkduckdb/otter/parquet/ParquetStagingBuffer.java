package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.types.Row;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Rows of one model waiting for the next checkpoint, in an in-memory DuckDB (spilling to disk
 * beyond its memory limit). At each checkpoint the buffer is sealed into a typed Parquet chunk
 * file; DuckDB does the typing from the JSON form of the rows. Confined to the task thread that
 * created it (DuckDB's appender must stay on one thread).
 */
final class ParquetStagingBuffer implements AutoCloseable {

    private final List<ColumnSchema> columns;
    private final RowJson json;
    private final Connection connection;
    private final String compression;
    private final Path spillDir;
    private DuckDBAppender appender;
    private long rows;
    private long firstRowMillis;

    ParquetStagingBuffer(
            List<ColumnSchema> columns, String compression, Path spillDir, String memoryLimit)
            throws SQLException, IOException {
        this.columns = List.copyOf(columns);
        this.json = new RowJson(columns.stream().map(ColumnSchema::name).toList());
        this.compression = compression;
        this.spillDir = spillDir;
        Files.createDirectories(spillDir);
        this.connection = DuckDBDriverConnections.inMemory();
        try (Statement st = connection.createStatement()) {
            st.execute("SET threads = 1");
            st.execute("SET memory_limit = " + Sql.literal(memoryLimit));
            st.execute("SET temp_directory = " + Sql.literal(spillDir.toString()));
            st.execute("SET preserve_insertion_order = true");
            st.execute("CREATE TABLE buf (j VARCHAR)");
        }
    }

    /** The connection, for the commit of merged files (same thread). */
    Connection connection() {
        return connection;
    }

    void add(Row row) throws SQLException {
        if (appender == null) {
            appender = connection.unwrap(DuckDBConnection.class).createAppender("main", "buf");
        }
        appender.beginRow();
        appender.append(json.write(row));
        appender.endRow();
        if (rows == 0) {
            firstRowMillis = System.currentTimeMillis();
        }
        rows++;
    }

    long rows() {
        return rows;
    }

    /** When the oldest buffered row arrived (epoch millis); meaningless when empty. */
    long firstRowMillis() {
        return firstRowMillis;
    }

    /**
     * Writes the buffered rows to {@code chunk} as Parquet and empties the buffer.
     *
     * @return the chunk's size in bytes
     */
    long sealTo(Path chunk) throws SQLException, IOException {
        if (appender != null) {
            appender.close();
            appender = null;
        }
        Files.createDirectories(chunk.getParent());
        String select = columns.stream().map(Sql::fromJson).collect(Collectors.joining(", "));
        try (Statement st = connection.createStatement()) {
            st.execute(
                    "COPY (SELECT "
                            + select
                            + " FROM buf) TO "
                            + Sql.literal(chunk.toString())
                            + " (FORMAT parquet, COMPRESSION "
                            + compression
                            + ")");
            st.execute("DELETE FROM buf");
        }
        FileSync.file(chunk);
        rows = 0;
        return Files.size(chunk);
    }

    @Override
    public void close() throws SQLException {
        try {
            if (appender != null) {
                appender.close();
            }
        } finally {
            connection.close();
            try {
                ParquetFileCommitter.deleteRecursively(spillDir);
            } catch (IOException e) {
                // Only scratch space; the next start does not depend on it.
            }
        }
    }
}
