package io.github.flinkduckdb.otter.faults;

import io.github.flinkduckdb.otter.runner.FlinkRest;
import io.github.flinkduckdb.otter.runner.JobFailures;
import io.github.flinkduckdb.otter.runner.OtterRun;
import io.github.flinkduckdb.otter.runner.RunOptions;
import io.github.flinkduckdb.otter.testing.OrderIds;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.PublishedParquet;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import com.rabbitmq.client.GetResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault matrix, "file system full" (docs/reliability.md): the file system under one output of an
 * exactly-once Otter run fills up to the last byte in the middle of a RabbitMQ stream, stays full
 * for {@link #FULL_FOR} while messages keep coming, then the space is freed. The run must heal by
 * itself (a full disk is an outage: retried without bound, {@code /readyz} 503 naming it, not
 * counted against {@code --max-restarts 2}), and after a stop with savepoint each good order is in
 * every output exactly once, each bad message in the DLQ, nothing left in the queue.
 *
 * <p>The small file system is a 64 MB tmpfs mounted for the test (as root; the test is skipped
 * where {@code mount} is not allowed), filled by a file written until {@code ENOSPC} and topped up
 * while the fault lasts, so space an output frees (a WAL truncated by a checkpoint) cannot end the
 * fault early.
 */
class FileSystemFullITCase {

    private static final String ID = "fsfull-";
    private static final int MESSAGES = 800;

    /** Between two messages: the stream lasts about 20 s, across the whole fault. */
    private static final long PUBLISH_INTERVAL_MS = 25;

    private static final Duration FULL_FOR = Duration.ofSeconds(9);

    @TempDir Path dir;
    private Path fs;
    private boolean mounted;
    private Rabbit rabbit;
    private String queue;
    private String dlq;

    @BeforeEach
    void setUp() throws Exception {
        fs = dir.resolve("fs");
        Files.createDirectories(fs);
        String failed = command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", fs.toString());
        Assumptions.assumeTrue(failed == null, () -> "cannot mount a tmpfs: " + failed);
        mounted = true;
        rabbit = new Rabbit();
        queue = rabbit.queue("otter-it-fsfull");
        dlq = queue + ".dlq";
        rabbit.forget(dlq);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (rabbit != null) {
            rabbit.close();
        }
        // Before @TempDir deletes the folder; lazily when a file on it is still open, so the
        // deletion never runs into the mount.
        if (mounted && command("umount", fs.toString()) != null) {
            command("umount", "-l", fs.toString());
        }
    }

    @Test
    void aDuckDBFileSystemFullDuringCommitsThenFreedLosesAndRepeatsNoRow() throws Exception {
        Path duckdb = fs.resolve("warehouse.duckdb");
        // While the job runs, a second DuckDB instance on the sink's file in this JVM would
        // conflict with the sink ("Unique file handle conflict"): DuckDB's rows are counted in a
        // copy of the file and its WAL (a torn copy fails to open and is tried again).
        Path peek = dir.resolve("peek");
        AtomicInteger peeks = new AtomicInteger();
        Outcome o =
                streamThroughFullFileSystem(
                        dir.resolve("out"),
                        duckdb,
                        () -> {
                            Path copy = peek.resolve(peeks.incrementAndGet() + ".duckdb");
                            Files.createDirectories(peek);
                            Files.copy(duckdb, copy);
                            Path wal = duckdb.resolveSibling(duckdb.getFileName() + ".wal");
                            if (Files.exists(wal)) {
                                Files.copy(
                                        wal,
                                        copy.resolveSibling(copy.getFileName() + ".wal"),
                                        StandardCopyOption.REPLACE_EXISTING);
                            }
                            return DuckDBTestDatabase.at(copy).count("SELECT count(*) FROM orders");
                        });
        OrderIds.Tally t = OrderIds.tally(o.db, "orders", o.good);
        t.record(
                "file system full during DuckDB commits, then freed",
                "DuckDB sink (otter run, RabbitMQ, MiniCluster)",
                "exactly-once",
                MESSAGES,
                o.recovery,
                o.note());
    }

    @Test
    void aParquetFileSystemFullThenFreedLosesAndRepeatsNoRow() throws Exception {
        // The output and its staging folder (<out>/.parquet.otter-staging, which must be on the
        // same file system) both on the tmpfs; DuckDB elsewhere.
        Path out = fs.resolve("out");
        PublishedParquet parquet = new PublishedParquet(out);
        Outcome o =
                streamThroughFullFileSystem(
                        out, dir.resolve("warehouse.duckdb"), () -> parquet.rows("orders"));
        OrderIds.Tally t = OrderIds.tally(o.db, parquet.files("orders"), o.good);
        t.record(
                "file system full under Parquet output and staging, then freed",
                "Parquet sink (otter run, RabbitMQ, MiniCluster)",
                "exactly-once",
                MESSAGES,
                o.recovery,
                o.note());
    }

    /** What a run through the fault measured; {@code db} reads the outputs after the stop. */
    private record Outcome(
            DuckDBTestDatabase db,
            List<Integer> good,
            int deadLetters,
            Duration recovery,
            List<JobFailures.Failure> failures) {

        String note() {
            Map<JobFailures.Kind, Integer> kinds = new TreeMap<>();
            failures.forEach(f -> kinds.merge(f.kind(), 1, Integer::sum));
            return failures.size()
                    + " restart(s) "
                    + kinds
                    + "; "
                    + deadLetters
                    + " dead letters; full for "
                    + FULL_FOR.toSeconds()
                    + " s";
        }
    }

    /**
     * Runs the orders project (Parquet under {@code out}, DuckDB at {@code duckdb}) on a RabbitMQ
     * stream of {@link #MESSAGES} messages, fills the tmpfs once {@code progress} (the faulty
     * output's committed orders) passed 100, frees it {@link #FULL_FOR} later, and checks the run
     * healed and kept its guarantee.
     */
    private Outcome streamThroughFullFileSystem(Path out, Path duckdb, Callable<Long> progress)
            throws Exception {
        List<Integer> good = OrderMessages.good(MESSAGES);
        List<Integer> shipped = OrderMessages.shipped(MESSAGES);
        List<Integer> deadLetters = OrderMessages.deadLetters(MESSAGES);
        Path project = TestProjects.rabbitMQOrders(dir, queue, dlq, 500);
        Path sinks = project.resolve("config/sinks.yml");
        TestProjects.write(
                sinks,
                Files.readString(sinks)
                        .replace("${OTTER_OUTPUT:-./output}/warehouse.duckdb", duckdb.toString()));
        PublishedParquet parquet = new PublishedParquet(out);
        // --max-restarts 2: the restarts of the outage (more than 2) must not count.
        OtterRun run =
                OtterRuns.embedded(
                        OtterRuns.load(project, out),
                        dir.resolve("state"),
                        true,
                        RunOptions.ANY_PORT,
                        2);
        CompletableFuture<OtterRun.Summary> done = OtterRuns.async(run);
        assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        FlinkRest rest = new FlinkRest(run.restAddress());
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(this::publishSlowly);

        Poll.until(
                "100 orders committed before the fault",
                Duration.ofSeconds(60),
                () -> OtterRuns.running(done) && progress.call() >= 100);
        // The run frees blocks as it goes (staged files deleted), also right after a fill: fill
        // until a look right after a fill finds less than a block free. The loop below keeps it
        // full.
        AtomicLong written = new AtomicLong();
        Poll.until(
                "the tmpfs full (less than a block free right after a fill)",
                Duration.ofSeconds(20),
                () -> {
                    written.addAndGet(fill(fs));
                    return Files.getFileStore(fs).getUsableSpace() < 4096;
                });
        long filled = written.get();
        Instant full = Instant.now();
        List<String> readiness = new ArrayList<>();
        while (Duration.between(full, Instant.now()).compareTo(FULL_FOR) < 0) {
            assertThat(OtterRuns.running(done))
                    .as("the run goes on while the disk is full")
                    .isTrue();
            readiness.add(OtterRuns.health(run, "/readyz"));
            fill(fs);
            Thread.sleep(300);
        }
        assertThat(publisher).as("messages kept coming while the disk was full").isNotDone();
        long before = progress.call();
        Files.delete(fs.resolve("filler"));
        Instant freed = Instant.now();
        Poll.until(
                "a new order committed after the space was freed",
                Duration.ofSeconds(60),
                () -> OtterRuns.running(done) && progress.call() > before);
        Duration recovery = Duration.between(freed, Instant.now());
        System.out.printf(
                "file system full: %d bytes written to fill it; %d orders committed when freed;"
                        + " first new order after %s; /readyz while full: %s%n",
                filled, before, recovery, new TreeSet<>(readiness));

        publisher.get(60, TimeUnit.SECONDS);
        Poll.until(
                "all orders published and the queue empty",
                Duration.ofSeconds(60),
                () ->
                        OtterRuns.running(done)
                                && parquet.rows("orders") == good.size()
                                && parquet.rows("shipping") == shipped.size()
                                && rabbit.count(queue) == 0);
        Poll.until(
                "ready again",
                Duration.ofSeconds(60),
                () -> OtterRuns.health(run, "/readyz").startsWith("200 "));
        List<JobFailures.Failure> failures = JobFailures.parse(rest.exceptions(run.jobId()));
        for (JobFailures.Failure f : failures) {
            System.out.printf(
                    "failure at +%d ms after the fill: %s %s%n",
                    f.timestamp() - full.toEpochMilli(), f.kind(), f.reason());
        }
        assertThat(failures)
                .as("each failure an outage, retried without counting against --max-restarts")
                .allSatisfy(
                        f ->
                                assertThat(f.kind())
                                        .as(f.reason())
                                        .isEqualTo(JobFailures.Kind.OUTAGE));
        if (!failures.isEmpty()) {
            assertThat(readiness)
                    .as("/readyz said why while the disk was full")
                    .anySatisfy(
                            r ->
                                    assertThat(r)
                                            .startsWith("503 ")
                                            .contains("retrying")
                                            .contains("No space left on device"));
        }

        run.requestStop();
        OtterRun.Summary summary = done.get(2, TimeUnit.MINUTES);
        OtterRuns.assertStopped(summary);
        assertThat(summary.savepoint()).isNotNull();

        DuckDBTestDatabase db = DuckDBTestDatabase.at(duckdb);
        OrderIds.assertExactly(db, "orders", good);
        OrderIds.assertExactly(db, parquet.files("orders"), good);
        OrderIds.assertExactly(db, "shipping", shipped);
        OrderIds.assertExactly(db, parquet.files("shipping"), shipped);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(good.size());
        assertThat(parquet.staged()).as("nothing left in staging").isEmpty();
        assertThat(rabbit.count(queue)).as("every message acknowledged").isZero();
        // Each bad message dead-lettered; a restart may publish its checkpoint's letters again
        // (the DLQ publisher's documented limit), so repeats are allowed here.
        TreeSet<Integer> letters = new TreeSet<>();
        for (GetResponse r : rabbit.drain(dlq)) {
            letters.add(OrderMessages.checkDeadLetter(r, queue, ID));
        }
        assertThat(letters).as("dead letters").containsExactlyElementsOf(deadLetters);
        return new Outcome(db, good, deadLetters.size(), recovery, failures);
    }

    /**
     * Appends to {@code <fs>/filler} until the file system has no byte left ({@code ENOSPC}): 1 MB
     * writes, then pages, then bytes; the bytes written.
     */
    private static long fill(Path fs) throws IOException {
        long written = 0;
        try (FileChannel ch =
                FileChannel.open(
                        fs.resolve("filler"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
            for (int size : new int[] {1 << 20, 4096, 1}) {
                ByteBuffer chunk = ByteBuffer.allocate(size);
                while (true) {
                    chunk.clear();
                    try {
                        int n = ch.write(chunk);
                        written += n;
                        if (n == 0) {
                            break;
                        }
                    } catch (IOException e) {
                        if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                            throw e;
                        }
                        break;
                    }
                }
            }
        }
        return written;
    }

    /**
     * Publishes the messages one every {@link #PUBLISH_INTERVAL_MS}, on a connection of its own.
     */
    private void publishSlowly() {
        try (Rabbit publisher = new Rabbit()) {
            for (int i = 0; i < MESSAGES; i++) {
                publisher.publish(queue, OrderMessages.message(i), ID + i);
                Thread.sleep(PUBLISH_INTERVAL_MS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }

    /** Runs a command; null when it succeeded, else its exit code and output. */
    private static String command(String... args) throws Exception {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", args) + ": timed out";
        }
        return p.exitValue() == 0
                ? null
                : String.join(" ", args) + ": exit " + p.exitValue() + ": " + output.strip();
    }
}
