package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.project.FlushPolicy;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code max_file_bytes} alone rolls files: with {@code max_age_seconds} a day away, the writer
 * publishes a file exactly when the chunks staged at checkpoints reach the size, and the end of the
 * input publishes the rest.
 */
class ParquetFlushThresholdTest {

    private static final int ROWS_PER_CHECKPOINT = 1000;
    private static final List<ColumnSchema> COLUMNS =
            List.of(
                    ColumnSchema.of("id", DuckDBType.of(DuckDBType.Id.BIGINT)),
                    ColumnSchema.of("digest", DuckDBType.of(DuckDBType.Id.VARCHAR)));

    @TempDir Path dir;

    private static Row row(long id) throws Exception {
        Row r = Row.withNames();
        r.setField("id", id);
        // Hex digests hardly compress, so every checkpoint's chunk has about the same size.
        byte[] digest =
                MessageDigest.getInstance("SHA-256")
                        .digest(Long.toString(id).getBytes(StandardCharsets.UTF_8));
        r.setField("digest", HexFormat.of().formatHex(digest));
        return r;
    }

    /** The size of one checkpoint's chunk, sealed by the writer's own staging buffer. */
    private long chunkBytes() throws Exception {
        try (ParquetStagingBuffer buffer =
                new ParquetStagingBuffer(COLUMNS, "zstd", dir.resolve("measure"), "64MB")) {
            for (long id = 0; id < ROWS_PER_CHECKPOINT; id++) {
                buffer.add(row(id));
            }
            return buffer.sealTo(dir.resolve("measure-chunk/c.parquet"));
        }
    }

    @Test
    void publishesAFileEachTimeTheStagedChunksReachMaxFileBytes() throws Exception {
        long chunk = chunkBytes();
        // Two chunks stay below the threshold, three reach it: a file per three checkpoints.
        long maxFileBytes = chunk * 5 / 2;
        ParquetModelOutput output =
                new ParquetModelOutput(
                        "events",
                        COLUMNS,
                        dir.resolve("out").toString(),
                        dir.resolve("staging").toString(),
                        List.of(),
                        List.of(),
                        "zstd",
                        new FlushPolicy(maxFileBytes, 86_400),
                        "64MB");
        List<Integer> filesAfterCheckpoint = new ArrayList<>();
        try (OneInputStreamOperatorTestHarness<Row, Void> h =
                new OneInputStreamOperatorTestHarness<>(new ParquetWriterOperator<Row>(output))) {
            h.open();
            long id = 0;
            for (long checkpoint = 1; checkpoint <= 11; checkpoint++) {
                for (int i = 0; i < ROWS_PER_CHECKPOINT; i++) {
                    h.processElement(row(id++), 0L);
                }
                h.prepareSnapshotPreBarrier(checkpoint);
                h.snapshot(checkpoint, checkpoint);
                h.notifyOfCompletedCheckpoint(checkpoint);
                filesAfterCheckpoint.add(published().size());
            }
            assertThat(filesAfterCheckpoint).containsExactly(0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3);
            assertThat(rowsPerFile()).containsExactly(3000L, 3000L, 3000L);

            // Two chunks (2,000 rows) wait below the threshold until the input ends.
            h.endInput();
        }
        assertThat(rowsPerFile()).containsExactlyInAnyOrder(3000L, 3000L, 3000L, 2000L);
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(DISTINCT id), min(id), max(id) FROM read_parquet("
                                        + SqlIdentifiers.literal(
                                                dir.resolve("out") + "/**/*.parquet")
                                        + ")")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(11_000);
            assertThat(rs.getLong(2)).isZero();
            assertThat(rs.getLong(3)).isEqualTo(10_999);
        }
    }

    private List<Path> published() throws Exception {
        Path out = dir.resolve("out/events");
        if (!Files.exists(out)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }
    }

    /** Rows of each published file, in the order the files were published (oldest first). */
    private List<Long> rowsPerFile() throws Exception {
        List<Long> rows = new ArrayList<>();
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            for (Path f : published()) {
                try (ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM read_parquet("
                                        + SqlIdentifiers.literal(f.toString())
                                        + ")")) {
                    rs.next();
                    rows.add(rs.getLong(1));
                }
            }
        }
        return rows;
    }
}
