package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.conversion.AppendOps;
import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.conversion.ConversionFailure;
import io.github.flinkduckdb.conversion.ValueConverter;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.types.Row;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Rows of one model waiting for the next checkpoint, in an in-memory DuckDB (spilling to disk
 * beyond its memory limit). Rows are appended typed, the way the DuckDB sink stages them: each
 * value converted strictly for its column ({@link ValueConverter}) and appended by its {@link
 * ColumnPlan}; the few types the appender cannot fill, and the types the transform hands over as
 * DuckDB's text (TIME WITH TIME ZONE, BIGNUM, UNION), are staged as text and cast when sealed. At
 * each checkpoint the buffer is sealed into a typed Parquet chunk file. Confined to the task thread
 * that created it (DuckDB's appender must stay on one thread).
 */
final class ParquetStagingBuffer implements AutoCloseable {

    private final List<ColumnPlan> plans;
    private final String[] names;
    private final boolean[] text;
    private final Object[] slots;
    private final Connection connection;
    private final String compression;
    private final Path spillDir;
    private DuckDBAppender appender;
    private long rows;
    private long firstRowMillis;

    ParquetStagingBuffer(
            List<ColumnSchema> columns, String compression, Path spillDir, String memoryLimit)
            throws SQLException, IOException {
        this.plans = new ArrayList<>(columns.size());
        this.names = new String[columns.size()];
        this.text = new boolean[columns.size()];
        this.slots = new Object[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            ColumnSchema c = columns.get(i);
            text[i] = ColumnPlan.needsText(c.type());
            plans.add(text[i] ? ColumnPlan.ofText(c) : ColumnPlan.of(c));
            names[i] = c.name();
        }
        this.compression = compression;
        this.spillDir = spillDir;
        Files.createDirectories(spillDir);
        this.connection = DuckDBDriverConnections.inMemory();
        try (Statement st = connection.createStatement()) {
            st.execute("SET threads = 1");
            st.execute("SET memory_limit = " + SqlIdentifiers.literal(memoryLimit));
            st.execute("SET temp_directory = " + SqlIdentifiers.literal(spillDir.toString()));
            st.execute("SET preserve_insertion_order = true");
            st.execute(
                    "CREATE TABLE buf ("
                            + plans.stream()
                                    .map(p -> p.quotedName() + " " + p.stagingTypeSql())
                                    .collect(Collectors.joining(", "))
                            + ")");
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
        // Converted in full before the appender sees the row, so a value that does not fit leaves
        // the buffer as it was.
        Set<String> named = row.getFieldNames(false);
        for (int i = 0; i < names.length; i++) {
            Object value = named != null ? row.getField(names[i]) : row.getField(i);
            if (value == null) {
                slots[i] = null;
            } else if (text[i]) {
                slots[i] = textForm(plans.get(i), value);
            } else {
                slots[i] = convert(plans.get(i), value);
            }
        }
        appender.beginRow();
        for (int i = 0; i < names.length; i++) {
            if (slots[i] == null) {
                appender.appendNull();
            } else {
                AppendOps.append(appender, plans.get(i), slots[i]);
            }
        }
        appender.endRow();
        if (rows == 0) {
            firstRowMillis = System.currentTimeMillis();
        }
        rows++;
    }

    private static Object convert(ColumnPlan plan, Object value) throws SQLException {
        try {
            return ValueConverter.convert(value, plan.type());
        } catch (ConversionFailure f) {
            String column = f.columnPath(plan.name());
            throw new SQLException(
                    "Cannot stage a value of Java type "
                            + f.javaType()
                            + " for Parquet column '"
                            + column
                            + "' ("
                            + f.type().toSql()
                            + "): "
                            + f.reason());
        }
    }

    /** DuckDB's text form of a value (nested values as their JSON), which the seal casts back. */
    private static Object textForm(ColumnPlan plan, Object value) {
        return plan.mode() == ColumnPlan.Mode.TEXT ? value.toString() : value;
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
        String select =
                plans.stream()
                        .map(p -> p.selectExpression(p.quotedName()) + " AS " + p.quotedName())
                        .collect(Collectors.joining(", "));
        try (Statement st = connection.createStatement()) {
            st.execute(
                    "COPY (SELECT "
                            + select
                            + " FROM buf) TO "
                            + SqlIdentifiers.literal(chunk.toString())
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
                StagingFiles.deleteRecursively(spillDir);
            } catch (IOException e) {
                // Only scratch space; the next start does not depend on it.
            }
        }
    }
}
