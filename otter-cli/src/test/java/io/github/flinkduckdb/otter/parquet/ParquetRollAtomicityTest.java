package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.parquet.ParquetFileCommitter.Step;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A roll appears in the output tree as one set: all its files or none, also to a reader that globs
 * while commits run, and after a crash between any two steps of the commit and its replay.
 */
class ParquetRollAtomicityTest {

    /**
     * How a roll is laid out: by partition, split at max_file_bytes, merged into one file, or one
     * chunk that is its own file (linked, not rewritten).
     */
    enum Layout {
        PARTITIONED(List.of("currency"), 128L << 20, 60_000, 2),
        // DuckDB splits files between row groups (122,880 rows): three of them, 1 MB each file.
        SPLIT(List.of(), 1_000_000, 300_000, 2),
        SINGLE(List.of(), 128L << 20, 60_000, 2),
        ONE_CHUNK(List.of(), 128L << 20, 60_000, 1);

        final List<String> partitionBy;
        final long maxFileBytes;
        final long rows;
        final int chunks;

        Layout(List<String> partitionBy, long maxFileBytes, long rows, int chunks) {
            this.partitionBy = partitionBy;
            this.maxFileBytes = maxFileBytes;
            this.rows = rows;
            this.chunks = chunks;
        }
    }

    /** The simulated crash. */
    static final class Crash extends IOException {
        private static final long serialVersionUID = 1L;

        Crash(Step step) {
            super("crash after " + step);
        }
    }

    @TempDir Path dir;
    private Connection duckdb;
    private Path chunks;
    private Path commits;
    private Path out;

    @BeforeEach
    void setUp() throws Exception {
        duckdb = DuckDBDriverConnections.inMemory();
        chunks = dir.resolve("staging/orders/chunks");
        commits = dir.resolve("staging/orders/commits");
        out = dir.resolve("out/orders");
    }

    @AfterEach
    void tearDown() throws Exception {
        duckdb.close();
    }

    private ParquetFileCommitter committer(Layout layout) {
        return new ParquetFileCommitter(
                "orders",
                out,
                commits,
                layout.partitionBy,
                List.of(),
                "zstd",
                layout.maxFileBytes,
                false);
    }

    /** A roll of one chunk in writer folder {@code w}: ids from..to-1 in three currencies. */
    private ParquetRoll oneChunkRoll(String id, String writer, long from, long to)
            throws SQLException {
        chunk(writer + "/" + id + "-a.chunk", from, to);
        return new ParquetRoll(id, 1, List.of(writer + "/" + id + "-a.chunk"), to - from);
    }

    /** A roll of two chunks in writer folder {@code w}: ids from..to-1 in three currencies. */
    private ParquetRoll roll(String id, String writer, long from, long to) throws SQLException {
        long middle = (from + to) / 2;
        chunk(writer + "/" + id + "-a.chunk", from, middle);
        chunk(writer + "/" + id + "-b.chunk", middle, to);
        return new ParquetRoll(
                id,
                1,
                List.of(writer + "/" + id + "-a.chunk", writer + "/" + id + "-b.chunk"),
                to - from);
    }

    private void chunk(String name, long from, long to) throws SQLException {
        try {
            Files.createDirectories(chunks.resolve(name).getParent());
        } catch (IOException e) {
            throw new SQLException(e);
        }
        try (Statement st = duckdb.createStatement()) {
            st.execute(
                    "COPY (SELECT i AS id, ['EUR', 'USD', 'GBP'][i % 3 + 1] AS currency,"
                            + " md5(i::VARCHAR) AS note FROM range("
                            + from
                            + ", "
                            + to
                            + ") r(i)) TO "
                            + SqlIdentifiers.literal(chunks.resolve(name).toString())
                            + " (FORMAT parquet)");
        }
    }

    private static List<Path> files(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Rows per roll id in the output, read the way a reader would, by globbing. */
    private static Map<String, long[]> rowsAndFilesPerRoll(Statement st, Path out)
            throws SQLException {
        Map<String, long[]> seen = new HashMap<>();
        try (ResultSet rs =
                st.executeQuery(
                        "SELECT regexp_extract(parse_filename(filename), '^part-(.+)-[0-9]+\\.parquet$', 1),"
                                + " count(*), count(DISTINCT filename), count(DISTINCT id)"
                                + " FROM read_parquet("
                                + SqlIdentifiers.literal(out + "/**/*.parquet")
                                + ", filename = true) GROUP BY ALL")) {
            while (rs.next()) {
                assertThat(rs.getLong(4)).as("distinct ids").isEqualTo(rs.getLong(2));
                seen.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
            }
        } catch (SQLException e) {
            if (e.getMessage().contains("No files found")) {
                return seen;
            }
            throw e;
        }
        return seen;
    }

    @Test
    void aPartitionedRollIsOneFolderReadWithItsPartitionColumn() throws Exception {
        ParquetRoll roll = roll("r1", "w", 0, 3000);

        List<Path> published = committer(Layout.PARTITIONED).commit(duckdb, roll, chunks);

        assertThat(published)
                .containsExactly(
                        out.resolve("commit_r1/currency=EUR/part-r1-0.parquet"),
                        out.resolve("commit_r1/currency=GBP/part-r1-0.parquet"),
                        out.resolve("commit_r1/currency=USD/part-r1-0.parquet"));
        try (Statement st = duckdb.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT string_agg(currency || '=' || n, ',' ORDER BY currency) FROM"
                                        + " (SELECT currency, count(*) AS n FROM read_parquet("
                                        + SqlIdentifiers.literal(out + "/**/*.parquet")
                                        + ", hive_partitioning = true) GROUP BY ALL)")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("EUR=1000,GBP=1000,USD=1000");
        }
    }

    static Stream<Arguments> crashPoints() {
        List<Arguments> all = new ArrayList<>();
        for (Layout layout : Layout.values()) {
            for (Step step : Step.values()) {
                all.add(Arguments.of(layout, step));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, crash after {1}")
    @MethodSource("crashPoints")
    void aCrashAfterAnyStepThenTheReplayPublishesTheRollOnce(Layout layout, Step crashAt)
            throws Exception {
        ParquetRoll roll =
                layout.chunks == 1
                        ? oneChunkRoll("r1", "w", 0, layout.rows)
                        : roll("r1", "w", 0, layout.rows);
        ParquetFileCommitter first = committer(layout);
        first.onStep(
                (step, r) -> {
                    if (step == crashAt) {
                        throw new Crash(step);
                    }
                });

        assertThatThrownBy(() -> first.commit(duckdb, roll, chunks)).isInstanceOf(Crash.class);

        // Between the crash and the restart, the roll is in the output whole or not at all.
        boolean visible = crashAt == Step.PUBLISHED || crashAt == Step.CHUNKS_DELETED;
        Map<String, long[]> seen;
        try (Statement st = duckdb.createStatement()) {
            seen = rowsAndFilesPerRoll(st, out);
        }
        if (visible) {
            assertThat(seen).containsOnlyKeys("r1");
            assertThat(seen.get("r1")[0]).isEqualTo(layout.rows);
        } else {
            assertThat(seen).isEmpty();
        }
        long files = visible ? seen.get("r1")[1] : -1;

        // The restart: the sweep, then the restored roll's commit replayed.
        ParquetFileCommitter second = committer(layout);
        second.sweep(List.of("w"), List.of(roll));
        List<Path> replayed = second.commit(duckdb, roll, chunks);

        assertThat(replayed.isEmpty()).as("published by the replay").isEqualTo(visible);
        try (Statement st = duckdb.createStatement()) {
            seen = rowsAndFilesPerRoll(st, out);
        }
        assertThat(seen).containsOnlyKeys("r1");
        assertThat(seen.get("r1")[0]).as("rows, once").isEqualTo(layout.rows);
        if (visible) {
            assertThat(seen.get("r1")[1]).isEqualTo(files);
        }
        long expectedFiles =
                switch (layout) {
                    case PARTITIONED -> 3;
                    case SINGLE, ONE_CHUNK -> 1;
                    case SPLIT -> seen.get("r1")[1];
                };
        assertThat(seen.get("r1")[1]).isEqualTo(expectedFiles);
        if (layout == Layout.SPLIT) {
            assertThat(expectedFiles).as("files of the split roll").isGreaterThan(1);
        }
        assertThat(files(chunks)).as("chunks left").isEmpty();
        assertThat(files(commits)).as("merge leftovers").isEmpty();
        // A second replay (the checkpoint restored again) changes nothing.
        List<Path> before = files(out);
        assertThat(committer(layout).commit(duckdb, roll, chunks)).isEmpty();
        assertThat(files(out)).isEqualTo(before);
    }

    @Test
    void theSweepRemovesLeftoversOfRollsNotRestoredAndOnlyInItsOwnFolders() throws Exception {
        ParquetRoll halfMerged = roll("r1", "w", 0, 300);
        ParquetRoll merged = roll("r2", "w", 300, 600);
        ParquetRoll restored = roll("r3", "w", 600, 900);
        ParquetRoll otherSubtask = roll("r4", "v", 900, 1200);
        crash(halfMerged, Step.MERGE_WRITTEN);
        crash(merged, Step.MERGED);
        crash(restored, Step.MERGED);
        crash(otherSubtask, Step.MERGE_WRITTEN);
        assertThat(names(commits.resolve("w"))).containsExactlyInAnyOrder("r1.tmp", "r2", "r3");

        committer(Layout.PARTITIONED).sweep(List.of("w"), List.of(restored));

        assertThat(names(commits.resolve("w"))).containsExactly("r3");
        assertThat(names(commits.resolve("v")))
                .as("another subtask's folder")
                .containsExactly("r4.tmp");
        assertThat(files(out)).isEmpty();

        committer(Layout.PARTITIONED).commit(duckdb, restored, chunks);
        try (Statement st = duckdb.createStatement()) {
            Map<String, long[]> seen = rowsAndFilesPerRoll(st, out);
            assertThat(seen).containsOnlyKeys("r3");
            assertThat(seen.get("r3")[0]).isEqualTo(300);
        }
    }

    private void crash(ParquetRoll roll, Step at) {
        ParquetFileCommitter c = committer(Layout.PARTITIONED);
        c.onStep(
                (step, r) -> {
                    if (step == at) {
                        throw new Crash(step);
                    }
                });
        assertThatThrownBy(() -> c.commit(duckdb, roll, chunks)).isInstanceOf(Crash.class);
    }

    @Test
    void aReaderGlobbingWhileRollsArePublishedSeesEachRollWholeOrNotAtAll() throws Exception {
        ParquetFileCommitter committer = committer(Layout.PARTITIONED);
        Map<String, Long> expected = new ConcurrentHashMap<>();
        ParquetRoll firstRoll = roll("r000", "w", 0, 90);
        committer.commit(duckdb, firstRoll, chunks);
        expected.put(firstRoll.id(), firstRoll.rows());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger observations = new AtomicInteger();
        Set<Integer> rollCountsSeen = ConcurrentHashMap.newKeySet();
        List<String> partial = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader =
                new Thread(
                        () -> {
                            try (Connection c = DuckDBDriverConnections.inMemory();
                                    Statement st = c.createStatement()) {
                                while (!stop.get()) {
                                    Map<String, long[]> seen = rowsAndFilesPerRoll(st, out);
                                    for (Map.Entry<String, long[]> e : seen.entrySet()) {
                                        Long want = expected.get(e.getKey());
                                        if (want == null
                                                || e.getValue()[0] != want
                                                || e.getValue()[1] != 3) {
                                            synchronized (partial) {
                                                partial.add(
                                                        e.getKey()
                                                                + ": "
                                                                + e.getValue()[0]
                                                                + " rows in "
                                                                + e.getValue()[1]
                                                                + " files");
                                            }
                                        }
                                    }
                                    rollCountsSeen.add(seen.size());
                                    observations.incrementAndGet();
                                }
                            } catch (Throwable t) {
                                failure.set(t);
                            }
                        },
                        "parquet-reader");
        reader.start();
        int rolls = 1;
        long deadline = System.nanoTime() + 60_000_000_000L;
        long next = 90;
        try {
            while (rolls < 200
                    && (rolls < 40 || observations.get() < 40)
                    && System.nanoTime() < deadline
                    && failure.get() == null) {
                // Each roll a different size, in three partitions, so a partial one shows.
                long size = 90 + rolls * 7L;
                ParquetRoll roll = roll(String.format("r%03d", rolls), "w", next, next + size);
                next += size;
                // Known before the rename: the reader may see it right after.
                expected.put(roll.id(), roll.rows());
                assertThat(committer.commit(duckdb, roll, chunks)).hasSize(3);
                rolls++;
            }
        } finally {
            stop.set(true);
            reader.join(30_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(partial).as("partial rolls seen").isEmpty();
        assertThat(observations.get()).isGreaterThanOrEqualTo(40);
        assertThat(rolls).isGreaterThanOrEqualTo(40);
        assertThat(new TreeSet<>(rollCountsSeen).size())
                .as("the reader ran while rolls were published")
                .isGreaterThanOrEqualTo(3);
        try (Statement st = duckdb.createStatement()) {
            Map<String, long[]> seen = rowsAndFilesPerRoll(st, out);
            assertThat(seen).hasSize(rolls);
            assertThat(seen.values().stream().mapToLong(v -> v[0]).sum()).isEqualTo(next);
        }
    }
}
