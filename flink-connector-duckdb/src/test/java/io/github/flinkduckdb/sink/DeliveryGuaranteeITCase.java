package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery guarantees on a MiniCluster with checkpoints every 200 ms and failures injected
 * while writing and between commit and Flink's bookkeeping: exactly-once keeps every id exactly
 * once, at-least-once every id at least once.
 */
class DeliveryGuaranteeITCase {

    private static final int BATCHES = 1_000;
    private static final int ROWS_PER_BATCH = 100;
    private static final long ROWS = (long) BATCHES * ROWS_PER_BATCH;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    private DuckDBTestDatabase database(String name) {
        return DuckDBTestDatabase.at(dir.resolve(name + ".duckdb"));
    }

    private static DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink(
            DuckDBTestDatabase db, DeliveryGuarantee guarantee) {
        return DuckDBSink.forKeyedBatches(db.url(), "orders")
                .setCreateTableSql(KeyedBatchJobs.CREATE)
                .setDeliveryGuarantee(guarantee)
                .setMaxBufferedRows(5_000)
                .build();
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 4})
    void exactlyOnceSurvivesFailuresWhileWritingAndAfterCommitting(int parallelism)
            throws Exception {
        DuckDBTestDatabase db = database("eo-" + parallelism);
        StreamExecutionEnvironment env = KeyedBatchJobs.environment(parallelism, 200);
        String name = "eo-commit-" + parallelism;
        KeyedBatchJobs.batches(env, KeyedBatchJobs.source(BATCHES, ROWS_PER_BATCH, 400))
                .map(new KeyedBatchJobs.FailAfter(BATCHES / parallelism / 3, 2))
                .name("fail-while-writing")
                .sinkTo(
                        new KeyedBatchJobs.FailingAfterCommitSink<>(
                                sink(db, DeliveryGuarantee.EXACTLY_ONCE), name, 2));
        env.execute("exactly-once with failures, parallelism " + parallelism);

        assertThat(KeyedBatchJobs.COMMIT_FAILURES.get(name).get())
                .as("both committer failures were injected")
                .isLessThan(0);
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(ROWS);
        assertThat(db.count("SELECT count(DISTINCT id) FROM orders")).isEqualTo(ROWS);
        assertThat(db.count("SELECT min(id) FROM orders")).isZero();
        assertThat(db.count("SELECT max(id) FROM orders")).isEqualTo(ROWS - 1);
        assertThat(db.count("SELECT count(*) FROM _flink_duckdb_commits"))
                .as("one marker per applied committable")
                .isEqualTo(
                        db.count(
                                "SELECT count(DISTINCT committable_id) FROM _flink_duckdb_commits"));
    }

    @Test
    void atLeastOnceKeepsEveryIdAfterFailures() throws Exception {
        DuckDBTestDatabase db = database("alo");
        StreamExecutionEnvironment env = KeyedBatchJobs.environment(2, 200);
        KeyedBatchJobs.batches(env, KeyedBatchJobs.source(BATCHES, ROWS_PER_BATCH, 400))
                .map(new KeyedBatchJobs.FailAfter(BATCHES / 6, 2))
                .sinkTo(sink(db, DeliveryGuarantee.AT_LEAST_ONCE));
        env.execute("at-least-once with failures");

        long rows = db.count("SELECT count(*) FROM orders");
        long distinct = db.count("SELECT count(DISTINCT id) FROM orders");
        assertThat(distinct).isEqualTo(ROWS);
        assertThat(rows).isGreaterThanOrEqualTo(ROWS);
        System.out.printf(
                "at-least-once after 2 injected failures: %d rows, %d duplicates%n",
                rows, rows - distinct);
    }

    @Test
    void atLeastOnceWithBatchDeduplicationWritesEachBatchOnce() throws Exception {
        DuckDBTestDatabase db = database("alo-dedup");
        StreamExecutionEnvironment env = KeyedBatchJobs.environment(2, 200);
        KeyedBatchJobs.batches(env, KeyedBatchJobs.source(BATCHES, ROWS_PER_BATCH, 400))
                .map(new KeyedBatchJobs.FailAfter(BATCHES / 6, 2))
                .sinkTo(
                        DuckDBSink.forKeyedBatches(db.url(), "orders")
                                .setCreateTableSql(KeyedBatchJobs.CREATE)
                                .setBatchDeduplication(true)
                                .setMaxBufferedRows(5_000)
                                .build());
        env.execute("at-least-once with batch de-duplication");

        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(ROWS);
        assertThat(db.count("SELECT count(DISTINCT id) FROM orders")).isEqualTo(ROWS);
    }

    @ParameterizedTest(name = "failure near the end: {0}")
    @ValueSource(booleans = {false, true})
    void boundedJobCommitsItsLastRowsAtEndOfInput(boolean failNearTheEnd) throws Exception {
        DuckDBTestDatabase db = database("bounded-" + failNearTheEnd);
        // Checkpoints far apart: the last rows can only land through the final checkpoint.
        StreamExecutionEnvironment env = KeyedBatchJobs.environment(2, 60_000);
        KeyedBatchJobs.batches(env, KeyedBatchJobs.source(200, 50, 0))
                .map(new KeyedBatchJobs.FailAfter(failNearTheEnd ? 95 : Long.MAX_VALUE, 1))
                .sinkTo(sink(db, DeliveryGuarantee.EXACTLY_ONCE));
        env.execute("bounded exactly-once");

        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(10_000);
        assertThat(db.count("SELECT count(DISTINCT id) FROM orders")).isEqualTo(10_000);
    }
}
