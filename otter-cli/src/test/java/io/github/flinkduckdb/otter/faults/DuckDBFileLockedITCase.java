package io.github.flinkduckdb.otter.faults;

import io.github.flinkduckdb.otter.runner.JobFailures;
import io.github.flinkduckdb.otter.runner.RunOptions;
import io.github.flinkduckdb.otter.testing.FaultRun;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.sink.DuckDBSinkBuilder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault matrix: the DuckDB file held by another OS process for longer than the sink's retries, in
 * the middle of a RabbitMQ stream. DuckDB lets one process write a file; by default the job's
 * committer keeps it open for the job's lifetime, so another process can only get it where the
 * project lets go of it between commits ({@code release_between_commits: true}, for scripts and
 * shells that read the file while the project runs). This test holds it from a second JVM (as a
 * {@code duckdb} shell left open would) for {@link #HOLD}, more than twice the backoff of the
 * sink's retries: the commits fail, the job restarts as for an output outage (not counted against
 * {@code --max-restarts}), {@code /readyz} answers 503 while it fails, and once the other process
 * exits every good order is in DuckDB and Parquet exactly once.
 */
class DuckDBFileLockedITCase {

    /**
     * The sink's retries of a lock conflict wait 200 ms, doubling up to 10 s ({@code
     * RetryPolicy.withMaxRetries}): 6.2 s over the default 5 retries.
     */
    private static final Duration RETRIES = retriesBackoff(DuckDBSinkBuilder.DEFAULT_MAX_RETRIES);

    private static final Duration HOLD = Duration.ofSeconds(13);

    @TempDir Path dir;
    private FaultRun fault;
    private Process holder;

    @BeforeEach
    void setUp() throws Exception {
        fault = new FaultRun(dir, "duckdb-locked");
        Path sinks = fault.project().resolve("config/sinks.yml");
        String yaml = Files.readString(sinks);
        assertThat(yaml).contains("    delivery_guarantee: exactly-once\n");
        TestProjects.write(
                sinks,
                yaml.replace(
                        "    delivery_guarantee: exactly-once\n",
                        "    delivery_guarantee: exactly-once\n"
                                + "    release_between_commits: true\n"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (holder != null) {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        fault.close();
    }

    @Test
    void aDuckDBFileHeldByAnotherProcessLongerThanTheRetriesDelaysRowsAndLosesNone()
            throws Exception {
        assertThat(HOLD).as("held longer than the retries").isGreaterThan(RETRIES.multipliedBy(2));
        fault.start(RunOptions.ANY_PORT);
        fault.startPublishing();
        fault.awaitOrders(150, Duration.ofSeconds(60));
        Poll.until(
                "ready",
                Duration.ofSeconds(30),
                () -> OtterRuns.health(fault.run(), "/readyz").startsWith("200 "));

        Path log = dir.resolve("holder.out");
        holder =
                new ProcessBuilder(
                                ProcessHandle.current().info().command().orElseThrow(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                DuckDBFileHolder.class.getName(),
                                fault.out().resolve("warehouse.duckdb").toString(),
                                Long.toString(HOLD.toMillis()))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        Poll.until(
                "the other process holds the file",
                Duration.ofSeconds(60),
                () -> Files.readString(log).contains("locked") || !holder.isAlive());
        assertThat(Files.readString(log)).as("the holder's output").contains("locked");
        Instant locked = Instant.now();
        fault.midStream();

        List<String> answers = new ArrayList<>();
        while (holder.isAlive()) {
            assertThat(fault.running()).as("the run goes on while the file is held").isTrue();
            answers.add(OtterRuns.health(fault.run(), "/readyz"));
            Thread.sleep(250);
        }
        Instant released = Instant.now();
        assertThat(holder.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Duration.between(locked, released))
                .as("held longer than the sink's retries")
                .isGreaterThan(RETRIES);
        assertThat(answers)
                .as("/readyz while the file is held")
                .anySatisfy(a -> assertThat(a).startsWith("503 ").contains("retrying"));

        long atRelease = fault.orders();
        Duration recovery = fault.awaitRecovery(released, atRelease);
        fault.awaitAll();

        List<JobFailures.Failure> failures = fault.failures();
        assertThat(failures).as("the commits failed for the lock").isNotEmpty();
        assertThat(failures)
                .as("each failure an outage: another process holds the file")
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(JobFailures.Kind.OUTAGE));
        fault.stopAndCheck(
                "DuckDB file held by another process for " + HOLD.toSeconds() + " s",
                "DuckDB sink, release_between_commits (otter run, MiniCluster)",
                recovery,
                "sink retries back off "
                        + RETRIES.toMillis()
                        + " ms; /readyz 503 while held ("
                        + answers.stream().filter(a -> a.startsWith("503 ")).count()
                        + " of "
                        + answers.size()
                        + " probes)");
    }

    private static Duration retriesBackoff(int retries) {
        long total = 0;
        long backoff = 200;
        for (int i = 0; i < retries; i++) {
            total += backoff;
            backoff = Math.min(backoff * 2, 10_000);
        }
        return Duration.ofMillis(total);
    }
}
