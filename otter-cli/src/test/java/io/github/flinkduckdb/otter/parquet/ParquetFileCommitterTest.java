package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The publish protocol of Parquet rolls, interrupted at every step and replayed. */
class ParquetFileCommitterTest {

    @TempDir Path dir;
    private Connection duckdb;
    private Path chunks;
    private Path out;
    private Path commits;

    @BeforeEach
    void setUp() throws Exception {
        duckdb = DuckDBDriverConnections.inMemory();
        chunks = dir.resolve("staging/orders/chunks");
        commits = dir.resolve("staging/orders/commits");
        out = dir.resolve("out/orders");
        Files.createDirectories(chunks.resolve("w"));
    }

    @AfterEach
    void tearDown() throws Exception {
        duckdb.close();
    }

    private ParquetRoll twoChunks() throws Exception {
        chunk("w/c1.parquet", 0, 100);
        chunk("w/c2.parquet", 100, 250);
        return new ParquetRoll("r1", 2, List.of("w/c1.parquet", "w/c2.parquet"), 250);
    }

    private void chunk(String name, int from, int to) throws Exception {
        try (Statement st = duckdb.createStatement()) {
            st.execute(
                    "COPY (SELECT i AS id, CASE WHEN i % 2 = 0 THEN 'EUR' ELSE 'USD' END AS currency,"
                            + " i * 1.5 AS total FROM range("
                            + from
                            + ", "
                            + to
                            + ") r(i)) TO "
                            + SqlIdentifiers.literal(chunks.resolve(name).toString())
                            + " (FORMAT parquet)");
        }
    }

    private ParquetFileCommitter committer(List<String> partitionBy, List<String> dedupe) {
        return new ParquetFileCommitter(
                "orders", out, commits, partitionBy, dedupe, "zstd", 128L << 20);
    }

    private long rowsInOutput() throws Exception {
        try (Statement st = duckdb.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), count(DISTINCT id) FROM read_parquet("
                                        + SqlIdentifiers.literal(
                                                dir.resolve("out") + "/**/*.parquet")
                                        + ")")) {
            rs.next();
            assertThat(rs.getLong(2)).as("distinct ids").isEqualTo(rs.getLong(1));
            return rs.getLong(1);
        }
    }

    private List<Path> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void publishesPartitionedFilesAndCleansStaging() throws Exception {
        ParquetRoll roll = twoChunks();
        List<Path> published =
                committer(List.of("currency"), List.of()).commit(duckdb, roll, chunks);

        assertThat(published)
                .containsExactly(
                        out.resolve("currency=EUR/part-r1-0.parquet"),
                        out.resolve("currency=USD/part-r1-0.parquet"));
        assertThat(rowsInOutput()).isEqualTo(250);
        assertThat(files(chunks)).isEmpty();
        assertThat(files(commits)).isEmpty();
    }

    @Test
    void replayingAPublishedRollChangesNothing() throws Exception {
        ParquetRoll roll = twoChunks();
        ParquetFileCommitter c = committer(List.of(), List.of());
        assertThat(c.commit(duckdb, roll, chunks)).hasSize(1);
        List<Path> before = files(dir.resolve("out"));

        assertThat(c.commit(duckdb, roll, chunks)).isEmpty();
        assertThat(files(dir.resolve("out"))).isEqualTo(before);
        assertThat(rowsInOutput()).isEqualTo(250);
    }

    @Test
    void redoesAnInterruptedMerge() throws Exception {
        ParquetRoll roll = twoChunks();
        // A crash in the middle of COPY leaves a half-written temporary folder.
        Files.createDirectories(commits.resolve("r1.tmp"));
        Files.writeString(commits.resolve("r1.tmp/part-r1-0.parquet"), "half a file");

        committer(List.of(), List.of()).commit(duckdb, roll, chunks);

        assertThat(rowsInOutput()).isEqualTo(250);
        assertThat(files(commits)).isEmpty();
    }

    @Test
    void finishesRenamesInterruptedHalfway() throws Exception {
        ParquetRoll roll = twoChunks();
        ParquetFileCommitter c = committer(List.of("currency"), List.of());
        assertThat(c.mergeIfNeeded(duckdb, roll, chunks)).isTrue();
        // The crash came after the first partition's file was renamed into place.
        Path first = commits.resolve("r1/currency=EUR/part-r1-0.pending");
        Files.createDirectories(out.resolve("currency=EUR"));
        Files.move(first, out.resolve("currency=EUR/part-r1-0.parquet"));

        List<Path> published = c.commit(duckdb, roll, chunks);

        assertThat(published).containsExactly(out.resolve("currency=USD/part-r1-0.parquet"));
        assertThat(rowsInOutput()).isEqualTo(250);
        assertThat(files(chunks)).isEmpty();
    }

    @Test
    void finishesCleanupInterruptedAfterChunksWereDeleted() throws Exception {
        ParquetRoll roll = twoChunks();
        ParquetFileCommitter c = committer(List.of(), List.of());
        c.mergeIfNeeded(duckdb, roll, chunks);
        // Renames done and chunks deleted, but the crash came before commits/r1 was removed.
        for (Path f : files(commits.resolve("r1"))) {
            Files.createDirectories(out);
            Files.move(f, out.resolve(f.getFileName().toString().replace(".pending", ".parquet")));
        }
        Files.delete(chunks.resolve("w/c1.parquet"));
        Files.delete(chunks.resolve("w/c2.parquet"));

        assertThat(c.commit(duckdb, roll, chunks)).isEmpty();
        assertThat(rowsInOutput()).isEqualTo(250);
        assertThat(Files.exists(commits.resolve("r1"))).isFalse();
    }

    @Test
    void keepsEveryRowAndRecordsTheDedupeKeyInEachFilesMetadata() throws Exception {
        chunk("w/c1.parquet", 0, 10);
        chunk("w/c2.parquet", 5, 15); // ids 5..9 again, as a producer's re-sent messages would be
        ParquetRoll roll = new ParquetRoll("r2", 2, List.of("w/c1.parquet", "w/c2.parquet"), 20);

        List<Path> published =
                committer(List.of("currency"), List.of("id")).commit(duckdb, roll, chunks);

        assertThat(published).hasSize(2);
        String glob = SqlIdentifiers.literal(dir.resolve("out") + "/**/*.parquet");
        try (Statement st = duckdb.createStatement()) {
            ResultSet rows = st.executeQuery("SELECT count(*) FROM read_parquet(" + glob + ")");
            rows.next();
            assertThat(rows.getLong(1)).as("no row dropped").isEqualTo(20);
            ResultSet meta =
                    st.executeQuery(
                            "SELECT count(DISTINCT file_name), string_agg(DISTINCT decode(value))"
                                    + " FROM parquet_kv_metadata("
                                    + glob
                                    + ") WHERE decode(key) = 'otter.dedupe_key'");
            meta.next();
            assertThat(meta.getLong(1)).as("files with the key").isEqualTo(2);
            assertThat(meta.getString(2)).isEqualTo("[\"id\"]");
            // The reader's de-duplication documented in docs/otter-runner.md.
            ResultSet deduplicated =
                    st.executeQuery(
                            "SELECT count(*) FROM (SELECT * FROM read_parquet("
                                    + glob
                                    + ", filename = true) QUALIFY row_number() OVER (PARTITION BY"
                                    + " id ORDER BY filename) = 1)");
            deduplicated.next();
            assertThat(deduplicated.getLong(1)).isEqualTo(15);
        }
    }

    @Test
    void refusesARollWhoseChunksWereRemovedByHand() throws Exception {
        ParquetRoll roll = twoChunks();
        Files.delete(chunks.resolve("w/c2.parquet"));

        assertThatThrownBy(() -> committer(List.of(), List.of()).commit(duckdb, roll, chunks))
                .hasMessageContaining("Cannot publish Parquet roll r1 of model orders")
                .hasMessageContaining("c2.parquet");
    }

    @Test
    void splitsLargeRollsAtMaxFileBytesEachFileWithTheKey() throws Exception {
        try (Statement st = duckdb.createStatement()) {
            st.execute(
                    "COPY (SELECT i AS id, md5(i::VARCHAR) AS h FROM range(200000) r(i)) TO "
                            + SqlIdentifiers.literal(chunks.resolve("w/big.parquet").toString())
                            + " (FORMAT parquet)");
        }
        ParquetRoll roll = new ParquetRoll("r3", 1, List.of("w/big.parquet"), 200_000);
        ParquetFileCommitter c =
                new ParquetFileCommitter(
                        "orders", out, commits, List.of(), List.of("id"), "zstd", 1_000_000);

        List<Path> published = c.commit(duckdb, roll, chunks);

        assertThat(published.size()).isGreaterThan(1);
        assertThat(rowsInOutput()).isEqualTo(200_000);
        try (Statement st = duckdb.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM parquet_kv_metadata("
                                        + SqlIdentifiers.literal(out + "/*.parquet")
                                        + ") WHERE decode(key) = 'otter.dedupe_key'")) {
            rs.next();
            assertThat(rs.getLong(1))
                    .as("every split file names the key")
                    .isEqualTo(published.size());
        }
    }
}
