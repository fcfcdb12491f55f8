package io.github.flinkduckdb.otter.faults;

import io.github.flinkduckdb.otter.runner.JobFailures;
import io.github.flinkduckdb.otter.testing.FaultRun;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault matrix: the checkpoint directory ({@code <state-dir>/checkpoints}) cannot be written for
 * {@link #OUTAGE} in the middle of a RabbitMQ stream. As in {@code SinkOutageITCase}, the outage is
 * a regular file put where the folder was (the folder moved aside, then back): {@code chmod 000}
 * does not stop root, who runs these tests here. Checkpoints fail meanwhile, and with them the job
 * (Flink tolerates no failed checkpoint by default): it restarts from the latest completed
 * checkpoint, whose files are back in place by the time it succeeds, and every good order is in
 * DuckDB and Parquet exactly once.
 */
class CheckpointDirUnwritableITCase {

    private static final Duration OUTAGE = Duration.ofSeconds(10);

    @TempDir Path dir;
    private FaultRun fault;

    @BeforeEach
    void setUp() throws Exception {
        fault = new FaultRun(dir, "checkpoints-unwritable");
    }

    @AfterEach
    void tearDown() throws Exception {
        fault.close();
    }

    @Test
    void aCheckpointDirectoryThatCannotBeWrittenFor10SecondsDelaysRowsAndLosesNone()
            throws Exception {
        fault.start(0);
        fault.startPublishing();
        fault.awaitOrders(150, Duration.ofSeconds(60));

        Path checkpoints = fault.stateDir().resolve("checkpoints");
        Path aside = fault.stateDir().resolve("checkpoints-aside");
        assertThat(checkpoints).as("the checkpoint directory").isDirectory();
        Files.move(checkpoints, aside, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(checkpoints, "not a folder: checkpoints cannot be written\n");
        Instant outageStart = Instant.now();
        try {
            fault.midStream();
            while (Duration.between(outageStart, Instant.now()).compareTo(OUTAGE) < 0) {
                assertThat(fault.running()).as("the run goes on during the outage").isTrue();
                Thread.sleep(250);
            }
        } finally {
            Files.delete(checkpoints);
            Files.move(aside, checkpoints, StandardCopyOption.ATOMIC_MOVE);
        }
        Instant outageEnd = Instant.now();
        long atEnd = fault.orders();
        List<JobFailures.Failure> during = fault.failures();
        Duration recovery = fault.awaitRecovery(outageEnd, atEnd);
        fault.awaitAll();

        assertThat(during).as("checkpoints failed and the job restarted").isNotEmpty();
        assertThat(fault.failures())
                .as("no failure a retry cannot fix")
                .noneSatisfy(f -> assertThat(f.kind()).isEqualTo(JobFailures.Kind.PERMANENT));
        fault.stopAndCheck(
                "Checkpoint directory unwritable for " + OUTAGE.toSeconds() + " s",
                "Flink checkpoint storage (otter run, MiniCluster)",
                recovery,
                during.size() + " failure(s) during the outage");
    }
}
