package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.testing.OrderIds;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.PublishedParquet;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.brokers.TestJvms;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code otter run} as a separate process, as a user runs it: killed with SIGKILL in the middle of
 * a stream, started again (it resumes from the newest retained checkpoint), then stopped with
 * Ctrl-C (SIGINT: a savepoint). With correlation ids and exactly-once outputs, every message is in
 * DuckDB and in Parquet exactly once. A kill leaves Parquet rows staged for the next run; a stop
 * (SIGTERM too) publishes them. A run started with SIGINT ignored (a shell's background job) says
 * so and stops on SIGTERM.
 */
class KilledRunITCase {

    private static final Pattern PROGRESS_WITH_CHECKPOINT =
            Pattern.compile(
                    "otter: progress: messages \\d+ \\| rows orders=\\d+ purchases=\\d+ \\| dlq 0"
                            + " \\| last checkpoint #\\d+ \\d+s ago");

    @TempDir Path dir;
    private Rabbit rabbit;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        rabbit = new Rabbit();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        rabbit.close();
    }

    private Process otterRun(Path project, Path out, String logName) throws Exception {
        return otterRun(project, out, logName, false);
    }

    /**
     * Starts {@code otter run} in its own JVM; with {@code sigintIgnored} as a shell's background
     * job starts it: SIGINT ignored.
     */
    private Process otterRun(Path project, Path out, String logName, boolean sigintIgnored)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        if (sigintIgnored) {
            cmd.addAll(List.of("bash", "-c", "trap '' INT; exec \"$@\"", "otter"));
        } else if (CAN_RESET_SIGINT) {
            // Ctrl-C as in a terminal: a build started in the background of a shell (`mvn ... &`)
            // has SIGINT ignored, which every child inherits and no JVM can undo.
            cmd.addAll(List.of("env", "--default-signal=INT"));
        }
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        cmd.addAll(TestJvms.QUICK_START);
        for (String opt : System.getProperty("otter.test.opens", defaultOpens()).split(" ")) {
            if (!opt.isBlank()) {
                cmd.add(opt);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.github.flinkduckdb.otter.cli.OtterCli");
        cmd.addAll(
                List.of(
                        "--project",
                        project.toString(),
                        "--var",
                        "OTTER_OUTPUT=" + out,
                        "run",
                        "--checkpoint-interval",
                        "300ms",
                        "--progress-interval",
                        "1s",
                        "--state-dir",
                        dir.resolve("state").toString()));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectOutput(dir.resolve(logName + ".out").toFile())
                        .redirectError(dir.resolve(logName + ".err").toFile())
                        .start();
        processes.add(p);
        return p;
    }

    private static String defaultOpens() {
        return "--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
                + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED"
                + " --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
                + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED"
                + " --add-opens=java.base/java.util.concurrent=ALL-UNNAMED";
    }

    private String log(String name) throws Exception {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        return "--- "
                + name
                + " stdout\n"
                + (Files.exists(out) ? Files.readString(out) : "")
                + "--- "
                + name
                + " stderr (tail, progress lines left out)\n"
                + (Files.exists(err) ? tail(withoutProgress(Files.readString(err))) : "");
    }

    /** Whether {@code env --default-signal} (coreutils 8.31 and newer) is there. */
    private static final boolean CAN_RESET_SIGINT = canResetSigint();

    private static boolean canResetSigint() {
        try {
            Process p =
                    new ProcessBuilder("env", "--default-signal=INT", "true")
                            .redirectErrorStream(true)
                            .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * Waits for a stopped run to exit: the savepoint (up to 2 min) or, failing that, the cancel.
     * Fails with the run's log and its threads (jcmd) when it does not, which a bare timeout would
     * not explain.
     */
    private void awaitExit(Process p, String name) throws Exception {
        if (p.waitFor(200, TimeUnit.SECONDS)) {
            return;
        }
        Process jcmd =
                new ProcessBuilder(
                                Paths.get(System.getProperty("java.home"), "bin", "jcmd")
                                        .toString(),
                                String.valueOf(p.pid()),
                                "Thread.print")
                        .redirectErrorStream(true)
                        .start();
        String threads = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError(
                name
                        + " did not exit 200 s after the stop\n"
                        + log(name)
                        + "--- threads\n"
                        + threads);
    }

    /** The log without its progress lines (one per second), which would hide everything else. */
    private static String withoutProgress(String log) {
        StringBuilder sb = new StringBuilder();
        for (String line : log.split("\n", -1)) {
            if (!line.contains("otter: progress: ")) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static String tail(String s) {
        return s.length() > 20000 ? s.substring(s.length() - 20000) : s;
    }

    private long parquetRows(Path out) {
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM read_parquet('"
                                        + out.resolve("parquet")
                                        + "/orders/**/*.parquet')")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return 0;
        }
    }

    private boolean hasCheckpoint() throws Exception {
        Path checkpoints = dir.resolve("state/checkpoints");
        if (!Files.isDirectory(checkpoints)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(checkpoints)) {
            return s.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        }
    }

    @Test
    void aKilledRunResumesFromItsCheckpointAndCtrlCStopsWithASavepoint() throws Exception {
        String queue = rabbit.queue("otter-it-killed");
        rabbit.forget(queue + ".dlq");
        Path project = TestProjects.rabbitMQOrders(dir, queue, null, 2000, 100, 0);
        Path out = dir.resolve("out");
        int n = 3000;

        // A producer that publishes half the messages, waits for the kill, then the rest: the
        // kill falls in the middle of the stream, with messages in flight.
        AtomicInteger published = new AtomicInteger();
        java.util.concurrent.CountDownLatch killed = new java.util.concurrent.CountDownLatch(1);
        Thread producer =
                new Thread(
                        () -> {
                            try (Rabbit r = new Rabbit()) {
                                for (int i = 0; i < n; i++) {
                                    if (i == n / 2) {
                                        killed.await();
                                    }
                                    r.publish(
                                            queue,
                                            OrderMessages.order(i, i % 2 == 0 ? "EUR" : "USD"),
                                            "id-" + i);
                                    published.incrementAndGet();
                                    if (i % 50 == 49) {
                                        Thread.sleep(20);
                                    }
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "producer");

        Process first = otterRun(project, out, "first");
        try {
            Poll.until("the first checkpoint", Duration.ofSeconds(90), this::hasCheckpoint);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + log("first"), e);
        }
        producer.start();
        try {
            Poll.until("rows in Parquet", Duration.ofSeconds(60), () -> parquetRows(out) > 200);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + log("first"), e);
        }
        first.destroyForcibly(); // SIGKILL
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(published.get()).as("the kill is mid-stream").isLessThan(n);
        killed.countDown();
        long atKill = parquetRows(out);
        assertThat(atKill).as(log("first")).isGreaterThan(0).isLessThan(n);

        Instant restarted = Instant.now();
        Process second = otterRun(project, out, "second");
        // Recovery, as a user sees it: from the new process's start to rows past the kill.
        Poll.until(
                "new rows after the restart",
                Duration.ofSeconds(120),
                () -> parquetRows(out) > atKill);
        Duration recovery = Duration.between(restarted, Instant.now());
        producer.join(120_000);
        assertThat(published.get()).isEqualTo(n);
        try {
            Poll.until(
                    "every message in Parquet",
                    Duration.ofSeconds(120),
                    () -> parquetRows(out) >= n && rabbit.count(queue) == 0);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + " (" + parquetRows(out) + " rows)\n" + log("second"), e);
        }
        // The progress line shows a checkpoint of this run once Flink's REST statistics (cached for
        // a few seconds) have one: wait for it, the backlog can be done sooner.
        Poll.until(
                "a progress line with a checkpoint",
                Duration.ofSeconds(60),
                () ->
                        PROGRESS_WITH_CHECKPOINT
                                .matcher(Files.readString(dir.resolve("second.err")))
                                .find());
        // Ctrl-C: stop with a savepoint.
        new ProcessBuilder("kill", "-INT", String.valueOf(second.pid())).start().waitFor();
        awaitExit(second, "second");
        String secondOut = Files.readString(dir.resolve("second.out"), StandardCharsets.UTF_8);
        assertThat(second.exitValue()).as(log("second")).isZero();
        assertThat(secondOut)
                .contains(" STOPPED\n")
                .contains("  resumed from    file:")
                .contains("  savepoint       ");
        String secondErr = Files.readString(dir.resolve("second.err"));
        assertThat(secondErr).contains("Resuming from file:");
        assertThat(secondErr).as("the progress line").containsPattern(PROGRESS_WITH_CHECKPOINT);
        assertThat(dir.resolve("state/last-savepoint")).isRegularFile();

        // Exactly once, in Parquet and in DuckDB.
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), count(DISTINCT order_id) FROM read_parquet('"
                                        + out.resolve("parquet")
                                        + "/orders/**/*.parquet')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(n);
            assertThat(rs.getLong(2)).isEqualTo(n);
        }
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(n);
        assertThat(db.count("SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(n);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(n);
        assertThat(rabbit.count(queue)).isZero();
        assertThat(rabbit.count(queue + ".dlq")).isZero();
        // Nothing left behind in staging but empty folders.
        try (Stream<Path> s = Files.walk(out.resolve(".parquet.otter-staging"))) {
            assertThat(s.filter(Files::isRegularFile).map(Path::toString).toList()).isEmpty();
        }
        assertThat(new File(out.toFile(), "parquet").exists()).isTrue();

        List<Integer> ids = IntStream.range(0, n).boxed().toList();
        OrderIds.Tally delivered =
                OrderIds.tallyOrders(db, new PublishedParquet(out).files("orders"), ids);
        delivered.record(
                "otter run killed (SIGKILL: JobManager and TaskManager in one process),"
                        + " started again",
                "whole run; resumes from the retained checkpoint",
                "exactly-once",
                n,
                recovery,
                atKill
                        + " rows in Parquet at the kill; recovery includes the new JVM"
                        + " and MiniCluster start");
    }

    @Test
    void aRunStartedWithSigintIgnoredSaysSoAndSigtermStopsIt() throws Exception {
        String queue = rabbit.queue("otter-it-sigign");
        rabbit.forget(queue + ".dlq");
        Path project = TestProjects.rabbitMQOrders(dir, queue, null, 2000, 100, 0);
        Path out = dir.resolve("out");
        Process run = otterRun(project, out, "ignored", true);
        Poll.until("the first checkpoint", Duration.ofSeconds(90), this::hasCheckpoint);
        Poll.until(
                "the warning",
                Duration.ofSeconds(30),
                () -> Files.readString(dir.resolve("ignored.err")).contains("SIGINT is ignored"));
        assertThat(Files.readString(dir.resolve("ignored.err")))
                .contains(
                        "SIGINT is ignored in this process (started in the background by a shell?):"
                                + " it cannot stop the run; send SIGTERM (kill "
                                + run.pid()
                                + ") instead");
        new ProcessBuilder("kill", "-INT", String.valueOf(run.pid())).start().waitFor();
        assertThat(run.waitFor(3, TimeUnit.SECONDS)).as("SIGINT did nothing").isFalse();
        new ProcessBuilder("kill", "-TERM", String.valueOf(run.pid())).start().waitFor();
        awaitExit(run, "ignored");
        assertThat(run.exitValue()).as(log("ignored")).isZero();
        assertThat(Files.readString(dir.resolve("ignored.out"))).contains(" STOPPED\n");
    }

    @Test
    void aKillLeavesStagedRowsThatTheNextRunPublishesWhenSigtermStopsIt() throws Exception {
        String queue = rabbit.queue("otter-it-term");
        rabbit.forget(queue + ".dlq");
        // Otter's default thresholds: no file is due while the test runs.
        Path project = TestProjects.rabbitMQOrders(dir, queue, null, 500, 50, 300);
        Path out = dir.resolve("out");
        PublishedParquet parquet = new PublishedParquet(out);
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        int first = 150;
        int second = 50;
        for (int i = 0; i < first; i++) {
            rabbit.publish(queue, OrderMessages.order(i, "EUR"), "t-" + i);
        }

        // A crash: the rows of completed checkpoints are in DuckDB, and staged (not published) for
        // Parquet.
        Process crashed = otterRun(project, out, "crashed");
        awaitIdle(queue, "crashed");
        crashed.destroyForcibly(); // SIGKILL
        assertThat(crashed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(first);
        assertThat(parquet.rows("orders")).isZero();
        assertThat(parquet.staged()).as("the crash leaves the staged chunks").isNotEmpty();

        // The next run resumes with them and takes new messages; SIGTERM stops it: everything is
        // published.
        Process next = otterRun(project, out, "next");
        for (int i = first; i < first + second; i++) {
            rabbit.publish(queue, OrderMessages.order(i, "USD"), "t-" + i);
        }
        awaitIdle(queue, "next");
        assertThat(parquet.rows("orders")).as("still staged before the stop").isZero();
        new ProcessBuilder("kill", "-TERM", String.valueOf(next.pid())).start().waitFor();
        awaitExit(next, "next");
        assertThat(next.exitValue()).as(log("next")).isZero();
        assertThat(Files.readString(dir.resolve("next.out"))).contains(" STOPPED\n");

        assertThat(parquet.rows("orders")).isEqualTo(first + second);
        assertThat(parquet.distinct("orders", "order_id")).isEqualTo(first + second);
        assertThat(parquet.rows("purchases")).isEqualTo(first + second);
        assertThat(parquet.staged()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(first + second);
        assertThat(db.count("SELECT count(DISTINCT order_id) FROM orders"))
                .isEqualTo(first + second);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(first + second);
        assertThat(rabbit.count(queue)).isZero();
    }

    private static final Pattern CHECKPOINT = Pattern.compile("last checkpoint #(\\d+)");

    /**
     * Waits until the queue is empty and two more checkpoints completed (the progress line says
     * so): every message is then in a completed checkpoint. DuckDB is not read while the process
     * holds the file.
     */
    private void awaitIdle(String queue, String logName) throws Exception {
        try {
            Poll.until("an empty queue", Duration.ofSeconds(90), () -> rabbit.count(queue) == 0);
            // Two checkpoints after one the log showed once the queue was empty (a log without a
            // progress line yet would make any first checkpoint count).
            Poll.until(
                    "a checkpoint in the log",
                    Duration.ofSeconds(60),
                    () -> latestCheckpoint(logName) >= 0);
            long seen = latestCheckpoint(logName);
            Poll.until(
                    "two more checkpoints",
                    Duration.ofSeconds(60),
                    () -> latestCheckpoint(logName) >= seen + 2);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + log(logName), e);
        }
    }

    private long latestCheckpoint(String logName) throws Exception {
        Path err = dir.resolve(logName + ".err");
        long latest = -1;
        if (Files.exists(err)) {
            Matcher m = CHECKPOINT.matcher(Files.readString(err));
            while (m.find()) {
                latest = Math.max(latest, Long.parseLong(m.group(1)));
            }
        }
        return latest;
    }
}
