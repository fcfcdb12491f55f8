package io.github.flinkduckdb.otter.runner;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.runtime.scheduler.stopwithsavepoint.StopWithSavepointStoppingException;
import org.apache.flink.util.FlinkException;
import org.apache.flink.util.SerializedThrowable;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stop whose savepoint Flink took before the job failed while stopping (a sink that could not
 * publish, say) keeps that savepoint as the next run's starting point, whether the exception
 * arrives as itself (MiniCluster) or serialized through the REST client.
 */
class StopOutcomeTest {

    private static final String PATH = "file:/tmp/state/savepoints/savepoint-3f2a1c-0123456789ab";

    @Test
    void theSavepointOfAStopThatFailedWhileStoppingIsFound() {
        JobID job = new JobID();
        Throwable direct =
                new ExecutionException(
                        new CompletionException(
                                new StopWithSavepointStoppingException(
                                        PATH, job, new RuntimeException("publish failed"))));
        assertThat(SavepointStop.savepointTakenBeforeFailure(direct)).contains(PATH);

        Throwable serialized =
                new ExecutionException(
                        new FlinkException(
                                "stop failed",
                                new SerializedThrowable(
                                        new StopWithSavepointStoppingException(PATH, job))));
        assertThat(SavepointStop.savepointTakenBeforeFailure(serialized)).contains(PATH);
    }

    @Test
    void aDeclinedSavepointHasNone() {
        Throwable declined =
                new ExecutionException(
                        new FlinkException(
                                "Stop with savepoint failed: Checkpoint was declined (tasks not"
                                        + " ready)"));
        assertThat(SavepointStop.savepointTakenBeforeFailure(declined)).isEmpty();
        assertThat(SavepointStop.savepointTakenBeforeFailure(new RuntimeException((String) null)))
                .isEmpty();
    }

    @Test
    void aJobThatFailedWhileStoppingIsNotReportedAsCancelled() {
        JobID job = new JobID();
        Throwable cancelled =
                new ExecutionException(
                        new JobExecutionException(
                                job,
                                "Job was cancelled.",
                                new JobCancellationException(job, "x", null)));
        assertThat(OtterRun.cancelled(cancelled)).isTrue();
        assertThat(
                        OtterRun.cancelled(
                                new ExecutionException(
                                        new JobCancellationException(
                                                job, "Job was cancelled.", null))))
                .isTrue();

        Throwable failed =
                new ExecutionException(
                        new JobExecutionException(
                                job,
                                "Job execution failed.",
                                new RuntimeException("publish failed")));
        assertThat(OtterRun.cancelled(failed)).isFalse();
    }
}
