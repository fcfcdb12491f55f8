package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stop with a savepoint in the middle of the stream, resume from it: nothing lost, nothing twice.
 */
class SavepointResumeITCase {

    private static final int BATCHES = 600;
    private static final int ROWS_PER_BATCH = 50;
    private static final long ROWS = (long) BATCHES * ROWS_PER_BATCH;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    /**
     * Starts the job; with a savepoint path it resumes from it ({@code execution.savepoint.path},
     * the key both Flink lines read).
     */
    private static JobClient start(DuckDBTestDatabase db, String savepoint) throws Exception {
        Configuration conf =
                savepoint == null
                        ? new Configuration()
                        : Configuration.fromMap(Map.of("execution.savepoint.path", savepoint));
        StreamExecutionEnvironment env = KeyedBatchJobs.environment(2, 200, conf);
        KeyedBatchJobs.batches(env, KeyedBatchJobs.source(BATCHES, ROWS_PER_BATCH, 150))
                .uid("keyed-batches")
                .sinkTo(
                        DuckDBSink.forKeyedBatches(db.url(), "orders")
                                .setCreateTableSql(KeyedBatchJobs.CREATE)
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .build())
                .uid("duckdb-sink");
        return env.executeAsync("savepoint-resume");
    }

    private static long rowsOrZero(DuckDBTestDatabase db) {
        try {
            return db.count("SELECT count(*) FROM orders");
        } catch (IllegalStateException tableNotThereYet) {
            return 0;
        }
    }

    @Test
    void resumesWithoutLossOrDuplicates() throws Exception {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("sp.duckdb"));
        JobClient first = start(db, null);

        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (rowsOrZero(db) == 0) {
            assertThat(Instant.now()).as("rows appear within a minute").isBefore(deadline);
            Thread.sleep(50);
        }
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
        assertThat(first.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
        long atStop = db.count("SELECT count(*) FROM orders");
        assertThat(atStop).as("stopped in the middle").isGreaterThan(0).isLessThan(ROWS);
        assertThat(db.count("SELECT count(DISTINCT id) FROM orders")).isEqualTo(atStop);

        JobClient second = start(db, savepoint);
        second.getJobExecutionResult().get(120, TimeUnit.SECONDS);

        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(ROWS);
        assertThat(db.count("SELECT count(DISTINCT id) FROM orders")).isEqualTo(ROWS);
    }
}
