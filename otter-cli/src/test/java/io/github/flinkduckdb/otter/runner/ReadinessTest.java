package io.github.flinkduckdb.otter.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The /readyz rule on Flink REST answers. */
class ReadinessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final long NOW = 1_000_000_000L;

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static JsonNode job(String state, String vertexStatus, long start) throws Exception {
        return json(
                "{'state':'"
                        + state
                        + "','start-time':"
                        + start
                        + ",'vertices':[{'name':'Source: RabbitMQ','status':'RUNNING'},"
                        + "{'name':'Parquet: orders','status':'"
                        + vertexStatus
                        + "'}]}");
    }

    private static JsonNode checkpoints(long id, long ack) throws Exception {
        return json(
                "{'latest':{'completed':{'id':" + id + ",'latest_ack_timestamp':" + ack + "}}}");
    }

    @Test
    void readyWhenRunningAndCheckpointsComplete() throws Exception {
        Readiness.Verdict v =
                Readiness.evaluate(
                        job("RUNNING", "RUNNING", NOW - 600_000),
                        checkpoints(42, NOW - 5_000),
                        INTERVAL,
                        NOW);
        assertThat(v).isEqualTo(new Readiness.Verdict(true, "running; checkpoint 42 completed"));
    }

    @Test
    void readyWhileTheFirstCheckpointIsPending() throws Exception {
        Readiness.Verdict v =
                Readiness.evaluate(
                        job("RUNNING", "RUNNING", NOW - 10_000),
                        json("{'latest':{'completed':null}}"),
                        INTERVAL,
                        NOW);
        assertThat(v.ready()).isTrue();
        assertThat(v.reason()).isEqualTo("running; first checkpoint pending");
    }

    @Test
    void notReadyWhileRestartingOrATaskIsNotRunning() throws Exception {
        assertThat(
                        Readiness.evaluate(
                                job("RESTARTING", "RUNNING", NOW),
                                checkpoints(1, NOW),
                                INTERVAL,
                                NOW))
                .isEqualTo(new Readiness.Verdict(false, "job is RESTARTING"));
        assertThat(
                        Readiness.evaluate(
                                job("RUNNING", "INITIALIZING", NOW),
                                checkpoints(1, NOW),
                                INTERVAL,
                                NOW))
                .isEqualTo(new Readiness.Verdict(false, "task 'Parquet: orders' is INITIALIZING"));
    }

    @Test
    void notReadyWhenCheckpointsStopCompleting() throws Exception {
        // A sink whose commits fail makes checkpoints fail: no completed checkpoint for 2 min.
        assertThat(
                        Readiness.evaluate(
                                job("RUNNING", "RUNNING", NOW - 3_600_000),
                                checkpoints(7, NOW - 120_000),
                                INTERVAL,
                                NOW))
                .isEqualTo(new Readiness.Verdict(false, "no checkpoint completed for 120 s"));
    }

    private static JsonNode failure(long timestamp, String message) throws Exception {
        return JSON.createObjectNode()
                .set(
                        "exceptionHistory",
                        JSON.createObjectNode()
                                .set(
                                        "entries",
                                        JSON.createArrayNode()
                                                .add(
                                                        JSON.createObjectNode()
                                                                .put("timestamp", timestamp)
                                                                .put("taskName", "Parquet: orders")
                                                                .put(
                                                                        "stacktrace",
                                                                        "java.io.IOException: "
                                                                                + message
                                                                                + "\n\tat x.y(Z.java:1)"))));
    }

    @Test
    void notReadyFromAFailureUntilACheckpointCompletesAfterIt() throws Exception {
        // The Parquet publish after checkpoint 7 failed: the job restarts from checkpoint 7.
        JsonNode failed =
                failure(NOW - 12_000, "parquet output orders: publishing roll r1 failed: boom");
        assertThat(
                        Readiness.evaluate(
                                job("RUNNING", "RUNNING", NOW - 600_000),
                                checkpoints(7, NOW - 13_000),
                                failed,
                                INTERVAL,
                                NOW))
                .isEqualTo(
                        new Readiness.Verdict(
                                false,
                                "failing for 12 s, retrying: parquet output orders: publishing"
                                        + " roll r1 failed: boom"));
        assertThat(
                        Readiness.evaluate(
                                job("RUNNING", "RUNNING", NOW - 600_000),
                                checkpoints(8, NOW - 1_000),
                                failed,
                                INTERVAL,
                                NOW))
                .isEqualTo(new Readiness.Verdict(true, "running; checkpoint 8 completed"));
    }
}
