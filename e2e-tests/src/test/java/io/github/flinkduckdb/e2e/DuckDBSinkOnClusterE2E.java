package io.github.flinkduckdb.e2e;

import io.github.flinkduckdb.e2e.cluster.FlinkRestClient;
import io.github.flinkduckdb.e2e.cluster.FlinkStandaloneCluster;
import io.github.flinkduckdb.e2e.jobs.DuckDBSinkJob;
import io.github.flinkduckdb.testing.DatabaseLockHolder;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.faults.FaultMatrix;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DuckDB sink the way users deploy it: a standalone cluster with a JobManager and two
 * TaskManager processes (2 slots each), the job jar uploaded and run over REST, parallelism 4 over
 * both TaskManagers, one local DuckDB file. One TaskManager is killed with SIGKILL mid-stream and
 * replaced; the job recovers from its checkpoint. In one case the kill hits the committer's
 * TaskManager between its DuckDB transaction's BEGIN and COMMIT: DuckDB drops the uncommitted
 * transaction when the file is opened again, and the replayed committables go in once.
 */
class DuckDBSinkOnClusterE2E {

    private static final long BATCHES = 1_200;
    private static final int ROWS_PER_BATCH = 100;
    private static final long ROWS = BATCHES * ROWS_PER_BATCH;

    private static FlinkStandaloneCluster cluster;
    private static FlinkRestClient rest;
    private static String jarId;
    private static Path work;

    @RegisterExtension
    static final TestExecutionExceptionHandler PRINT_CLUSTER_LOGS =
            FlinkStandaloneCluster.printLogsOnFailure(() -> cluster);

    @BeforeAll
    static void startCluster() throws Exception {
        work = FlinkStandaloneCluster.workDirectory("sink");
        cluster = FlinkStandaloneCluster.start(work.resolve("cluster"), 2, 2);
        rest = cluster.rest();
        jarId = rest.uploadJar(Paths.get(System.getProperty("e2e.job.jar")));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> args(Path db, String guarantee, String... more) {
        return args(db, guarantee, BATCHES, ROWS_PER_BATCH, 150, 4, 500, more);
    }

    /** DuckDBSinkJob's arguments. */
    private static List<String> args(
            Path db,
            String guarantee,
            long batches,
            int rowsPerBatch,
            int batchesPerSecond,
            int parallelism,
            int checkpointMillis,
            String... more) {
        List<String> args =
                new java.util.ArrayList<>(
                        Arrays.asList(
                                "--db", db.toString(),
                                "--guarantee", guarantee,
                                "--batches", String.valueOf(batches),
                                "--rows-per-batch", String.valueOf(rowsPerBatch),
                                "--batches-per-second", String.valueOf(batchesPerSecond),
                                "--parallelism", String.valueOf(parallelism),
                                "--checkpoint-interval", String.valueOf(checkpointMillis)));
        args.addAll(Arrays.asList(more));
        return args;
    }

    /**
     * Runs the job, kills a TaskManager after two completed checkpoints, waits for the end; returns
     * the time from the kill to the next completed checkpoint.
     */
    private static Duration runWithKilledTaskManager(Path db, String guarantee) throws Exception {
        String job = rest.runJar(jarId, DuckDBSinkJob.class.getName(), args(db, guarantee));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (rest.completedCheckpoints(job) < 2) {
            assertThat(rest.jobState(job))
                    .as("job state before the kill")
                    .isIn("CREATED", "INITIALIZING", "RUNNING");
            assertThat(Instant.now()).as("two checkpoints within 90 s").isBefore(deadline);
            Thread.sleep(100);
        }
        List<Process> tms = cluster.taskManagers();
        int victim = -1;
        for (int i = 0; i < tms.size(); i++) {
            if (tms.get(i).isAlive()) {
                victim = i;
                break;
            }
        }
        long before = rest.completedCheckpoints(job);
        cluster.killTaskManager(victim);
        Instant killed = Instant.now();
        cluster.startTaskManager();
        Duration recovery = awaitCheckpointAfter(job, before, killed);
        String state = rest.awaitTermination(job, Duration.ofMinutes(3));
        assertThat(state).as(rest.exceptionHistory(job)).isEqualTo("FINISHED");
        assertThat(rest.restarts(job))
                .as("the job lost a TaskManager and restarted")
                .isGreaterThanOrEqualTo(1);
        return recovery;
    }

    /**
     * Recovered: a checkpoint completes after the kill (on the new TaskManager's slots), or the job
     * finished; returns the time since the kill.
     */
    private static Duration awaitCheckpointAfter(String job, long before, Instant killed)
            throws Exception {
        while (rest.completedCheckpoints(job) <= before && !rest.jobState(job).equals("FINISHED")) {
            assertThat(Instant.now())
                    .as("a checkpoint after the kill within 3 min")
                    .isBefore(killed.plus(Duration.ofMinutes(3)));
            Thread.sleep(100);
        }
        return Duration.between(killed, Instant.now());
    }

    /** The orders' ids: rows, distinct ids, distinct ids in {@code 0..expected-1}. */
    private record Ids(long rows, long distinct, long inRange) {

        static Ids of(DuckDBTestDatabase db, long expected) {
            return new Ids(
                    db.count("SELECT count(*) FROM orders"),
                    db.count("SELECT count(DISTINCT id) FROM orders"),
                    db.count(
                            "SELECT count(DISTINCT id) FROM orders WHERE id BETWEEN 0 AND "
                                    + (expected - 1)));
        }

        /** Records the fault-matrix row of a run that wrote these ids for {@code expected}. */
        void record(String fault, String guarantee, long expected, Duration recovery, String note) {
            FaultMatrix.record(
                    new FaultMatrix.Row(
                            fault,
                            "DuckDBSink p4 on a standalone cluster (2 TaskManagers)",
                            guarantee,
                            expected,
                            rows,
                            expected - inRange,
                            rows - distinct,
                            recovery,
                            note));
        }
    }

    private static void record(String guarantee, DuckDBTestDatabase db, Duration recovery) {
        Ids.of(db, ROWS)
                .record(
                        "TaskManager SIGKILL mid-stream, replaced",
                        guarantee,
                        ROWS,
                        recovery,
                        "recovery: kill to the next completed checkpoint");
    }

    @Test
    void exactlyOnceKeepsEveryIdExactlyOnceAfterATaskManagerIsKilled() throws Exception {
        Path file = work.resolve("exactly-once.duckdb");
        Duration recovery = runWithKilledTaskManager(file, "EXACTLY_ONCE");
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(ROWS);
        assertThat(db.count("SELECT count(DISTINCT id) FROM orders")).isEqualTo(ROWS);
        assertThat(db.count("SELECT max(id) FROM orders")).isEqualTo(ROWS - 1);
        record("exactly-once", db, recovery);
    }

    @Test
    void exactlyOnceKeepsEveryIdExactlyOnceWhenATaskManagerDiesInsideAnOpenCommit()
            throws Exception {
        // A CHECK that costs some 20 us per row (an md5 of 10 KB) keeps each commit's transaction
        // open for a fraction of a second or more, so the kill below can land inside one.
        Path file = work.resolve("killed-in-commit.duckdb");
        DuckDBTestDatabase.at(file)
                .execute(
                        "CREATE TABLE orders (id BIGINT NOT NULL, batch VARCHAR, amount DOUBLE,"
                                + " CHECK (md5(repeat(batch, 2000)) <> ''))");
        long batches = 400;
        long rows = batches * ROWS_PER_BATCH;
        // Only what the TaskManagers log from here on: the other tests' jobs ran on them too.
        List<Integer> from = new java.util.ArrayList<>();
        for (int i = 0; i < cluster.taskManagers().size(); i++) {
            from.add(tail(cluster.taskManagerLog(i)).length());
        }
        String job =
                rest.runJar(
                        jarId,
                        DuckDBSinkJob.class.getName(),
                        args(file, "EXACTLY_ONCE", batches, ROWS_PER_BATCH, 100, 4, 1000));
        // The committer's TaskManager logs "DuckDB transaction open" after BEGIN and "DuckDB
        // transaction committed" after COMMIT (TargetTransaction at DEBUG): kill it between the
        // two, after two commits.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        int victim = -1;
        while (victim < 0) {
            assertThat(Instant.now()).as("an open commit within 120 s").isBefore(deadline);
            List<Process> tms = cluster.taskManagers();
            for (int i = 0; i < tms.size() && victim < 0; i++) {
                String log = tail(cluster.taskManagerLog(i));
                log = log.substring(Math.min(log.length(), i < from.size() ? from.get(i) : 0));
                if (tms.get(i).isAlive()
                        && count(log, "DuckDB transaction committed") >= 2
                        && log.lastIndexOf("DuckDB transaction open")
                                > log.lastIndexOf("DuckDB transaction committed")) {
                    cluster.killTaskManager(i);
                    victim = i;
                }
            }
            Thread.sleep(5);
        }
        Instant killed = Instant.now();
        // No checkpoint completes without the killed TaskManager's tasks: counted after the kill.
        long before = rest.completedCheckpoints(job);
        String log = tail(cluster.taskManagerLog(victim));
        assertThat(log.lastIndexOf("DuckDB transaction open"))
                .as("the TaskManager died with its DuckDB transaction open (no COMMIT after BEGIN)")
                .isGreaterThan(log.lastIndexOf("DuckDB transaction committed"));
        cluster.startTaskManager();
        Duration recovery = awaitCheckpointAfter(job, before, killed);
        String state = rest.awaitTermination(job, Duration.ofMinutes(3));
        assertThat(state).as(rest.exceptionHistory(job)).isEqualTo("FINISHED");

        Ids ids = Ids.of(DuckDBTestDatabase.at(file), rows);
        assertThat(ids).as("rows, distinct ids, expected ids").isEqualTo(new Ids(rows, rows, rows));
        ids.record(
                "TaskManager SIGKILL inside the committer's open DuckDB transaction",
                "exactly-once",
                rows,
                recovery,
                "the kill between BEGIN and COMMIT (TaskManager log); recovery: kill to the next"
                        + " completed checkpoint");
    }

    /** The file's text, or "" while it does not exist. */
    private static String tail(Path file) throws java.io.IOException {
        return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void atLeastOnceKeepsEveryIdAfterATaskManagerIsKilled() throws Exception {
        Path file = work.resolve("at-least-once.duckdb");
        Duration recovery = runWithKilledTaskManager(file, "AT_LEAST_ONCE");
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        long rows = db.count("SELECT count(*) FROM orders");
        long distinct = db.count("SELECT count(DISTINCT id) FROM orders");
        assertThat(distinct).isEqualTo(ROWS);
        assertThat(rows).isGreaterThanOrEqualTo(ROWS);
        System.out.printf(
                "at-least-once on the cluster after a killed TaskManager: %d rows for %d ids, %d duplicates%n",
                rows, distinct, rows - distinct);
        record("at-least-once", db, recovery);
    }

    @Test
    void aJobThatCannotOpenTheDatabaseShowsWhyInItsExceptionHistory() throws Exception {
        Path file = work.resolve("locked.duckdb");
        DuckDBTestDatabase.at(file)
                .execute("CREATE TABLE orders (id BIGINT NOT NULL, batch VARCHAR, amount DOUBLE)");
        try (DatabaseLockHolder holder = DatabaseLockHolder.hold(file)) {
            String job =
                    rest.runJar(
                            jarId,
                            DuckDBSinkJob.class.getName(),
                            args(file, "EXACTLY_ONCE", 50, 10, 100, 2, 300, "--max-retries", "1"));
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            String history = rest.exceptionHistory(job);
            while (!history.contains("Could not set lock on file")) {
                assertThat(Instant.now()).as("the lock error within 90 s").isBefore(deadline);
                Thread.sleep(250);
                history = rest.exceptionHistory(job);
            }
            rest.cancel(job);
            assertThat(history)
                    .contains("to table orders in DuckDB file " + file.toAbsolutePath())
                    .contains("the rows stay in Flink's checkpoint")
                    .contains("Conflicting lock is held")
                    .contains("PID " + holder.pid());
            rest.awaitTermination(job, Duration.ofSeconds(60));
        }
    }
}
