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
                "orders", out, commits, partitionBy, dedupe, "zstd", 128L << 20, false);
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
                        out.resolve("commit_r1/currency=EUR/part-r1-0.parquet"),
                        out.resolve("commit_r1/currency=USD/part-r1-0.parquet"));
        assertThat(rowsInOutput()).isEqualTo(250);
        assertThat(files(chunks)).isEmpty();
        assertThat(files(commits)).isEmpty();
    }

    @Test
    void replayingAPublishedRollChangesNothing() throws Exception {
        ParquetRoll roll = twoChunks();
        ParquetFileCommitter c = committer(List.of(), List.of());
        // One file without partition_by: renamed as a file, no roll folder.
        assertThat(c.commit(duckdb, roll, chunks))
                .containsExactly(out.resolve("part-r1-0.parquet"));
        List<Path> before = files(dir.resolve("out"));

        assertThat(c.commit(duckdb, roll, chunks)).isEmpty();
        assertThat(files(dir.resolve("out"))).isEqualTo(before);
        assertThat(rowsInOutput()).isEqualTo(250);
    }

    @Test
    void aRollOfOneChunkPublishesTheChunkItselfUnlessItNeedsAMerge() throws Exception {
        chunk("w/c1.parquet", 0, 100);
        byte[] chunkBytes = Files.readAllBytes(chunks.resolve("w/c1.parquet"));
        ParquetRoll roll = new ParquetRoll("r1", 2, List.of("w/c1.parquet"), 100);

        assertThat(committer(List.of(), List.of()).commit(duckdb, roll, chunks))
                .containsExactly(out.resolve("part-r1-0.parquet"));
        // Not rewritten: the published file is the chunk, byte for byte.
        assertThat(Files.readAllBytes(out.resolve("part-r1-0.parquet"))).isEqualTo(chunkBytes);
        assertThat(rowsInOutput()).isEqualTo(100);
        assertThat(files(chunks)).isEmpty();
        assertThat(files(commits)).isEmpty();

        // With a dedupe key the file must carry it in its metadata: merged, not linked.
        chunk("w/c2.parquet", 100, 200);
        byte[] secondBytes = Files.readAllBytes(chunks.resolve("w/c2.parquet"));
        ParquetRoll keyed = new ParquetRoll("r2", 3, List.of("w/c2.parquet"), 100);
        committer(List.of(), List.of("id")).commit(duckdb, keyed, chunks);
        assertThat(Files.readAllBytes(out.resolve("part-r2-0.parquet"))).isNotEqualTo(secondBytes);
        assertThat(rowsInOutput()).isEqualTo(200);
    }

    @Test
    void redoesAnInterruptedMerge() throws Exception {
        ParquetRoll roll = twoChunks();
        // A crash in the middle of COPY leaves a half-written temporary folder.
        Files.createDirectories(commits.resolve("w/r1.tmp"));
        Files.writeString(commits.resolve("w/r1.tmp/part-r1-0.parquet"), "half a file");

        committer(List.of(), List.of()).commit(duckdb, roll, chunks);

        assertThat(rowsInOutput()).isEqualTo(250);
        assertThat(files(commits)).isEmpty();
    }

    @Test
    void finishesARollThatAnEarlierVersionPublishedHalfway() throws Exception {
        ParquetRoll roll = twoChunks();
        // Earlier versions merged into commits/<roll>/ as .pending files and renamed them into
        // <model>/[key=value/] one by one; the crash came after the first partition's rename.
        Files.createDirectories(commits);
        try (Statement st = duckdb.createStatement()) {
            st.execute(
                    "COPY (SELECT * FROM read_parquet(["
                            + SqlIdentifiers.literal(chunks.resolve("w/c1.parquet").toString())
                            + ", "
                            + SqlIdentifiers.literal(chunks.resolve("w/c2.parquet").toString())
                            + "])) TO "
                            + SqlIdentifiers.literal(commits.resolve("r1").toString())
                            + " (FORMAT parquet, PARTITION_BY (currency),"
                            + " FILENAME_PATTERN 'part-r1-{i}', FILE_EXTENSION 'pending')");
        }
        Files.createDirectories(out.resolve("currency=EUR"));
        Files.move(
                commits.resolve("r1/currency=EUR/part-r1-0.pending"),
                out.resolve("currency=EUR/part-r1-0.parquet"));

        List<Path> published =
                committer(List.of("currency"), List.of()).commit(duckdb, roll, chunks);

        assertThat(published)
                .containsExactly(out.resolve("commit_r1/currency=USD/part-r1-0.parquet"));
        assertThat(rowsInOutput()).isEqualTo(250);
        assertThat(files(chunks)).isEmpty();
        assertThat(files(commits)).isEmpty();
        // The mixed tree (old layout and roll folders) reads with its partition column.
        try (Statement st = duckdb.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT currency, count(*) FROM read_parquet("
                                        + SqlIdentifiers.literal(out + "/**/*.parquet")
                                        + ", hive_partitioning = true) GROUP BY ALL ORDER BY 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + "=" + rs.getLong(2)).isEqualTo("EUR=125");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + "=" + rs.getLong(2)).isEqualTo("USD=125");
            assertThat(rs.next()).isFalse();
        }
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
                                    + " id ORDER BY parse_filename(filename)) = 1)");
            deduplicated.next();
            assertThat(deduplicated.getLong(1)).isEqualTo(15);
        }
    }

    @Test
    void theReadersDeduplicationKeepsTheFirstPublishedRowAcrossBothLayouts() throws Exception {
        // ids 0..9 published by an earlier version as <model>/currency=<c>/part-<roll>-0.parquet
        chunk("w/old.parquet", 0, 10);
        Files.createDirectories(out.getParent());
        try (Statement st = duckdb.createStatement()) {
            st.execute(
                    "COPY (SELECT * FROM read_parquet("
                            + SqlIdentifiers.literal(chunks.resolve("w/old.parquet").toString())
                            + ")) TO "
                            + SqlIdentifiers.literal(out.toString())
                            + " (FORMAT parquet, PARTITION_BY (currency),"
                            + " FILENAME_PATTERN 'part-1000-aaaaaaaa-{i}')");
        }
        // ids 5..14 in a later roll, published as a roll folder
        chunk("w/c1.parquet", 5, 15);
        ParquetRoll later = new ParquetRoll("2000-bbbbbbbb", 2, List.of("w/c1.parquet"), 10);
        committer(List.of("currency"), List.of("id")).commit(duckdb, later, chunks);

        try (Statement st = duckdb.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), count(*) FILTER (parse_filename(filename) LIKE"
                                        + " 'part-1000-%') FROM (SELECT * FROM read_parquet("
                                        + SqlIdentifiers.literal(out + "/**/*.parquet")
                                        + ", filename = true) QUALIFY row_number() OVER (PARTITION BY"
                                        + " id ORDER BY parse_filename(filename)) = 1)")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(15);
            assertThat(rs.getLong(2)).as("ids 0..9 from the first roll").isEqualTo(10);
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
                        "orders", out, commits, List.of(), List.of("id"), "zstd", 1_000_000, false);

        List<Path> published = c.commit(duckdb, roll, chunks);

        assertThat(published.size()).isGreaterThan(1);
        // Several files of one roll: published as one folder, like a partitioned roll.
        assertThat(published)
                .allSatisfy(p -> assertThat(p.getParent()).isEqualTo(out.resolve("commit_r3")));
        assertThat(rowsInOutput()).isEqualTo(200_000);
        try (Statement st = duckdb.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM parquet_kv_metadata("
                                        + SqlIdentifiers.literal(out + "/commit_r3/*.parquet")
                                        + ") WHERE decode(key) = 'otter.dedupe_key'")) {
            rs.next();
            assertThat(rs.getLong(1))
                    .as("every split file names the key")
                    .isEqualTo(published.size());
        }
    }
}
