package io.github.flinkduckdb.otter.runner;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * The readiness rule behind {@code /readyz}, from Flink's REST job status and checkpoint
 * statistics: the job is {@code RUNNING}, every task is {@code RUNNING} (or {@code FINISHED}, for a
 * source that read all its files), and checkpoints complete: the latest completed checkpoint is
 * younger than three checkpoint intervals (at least 60 s), or the job started less than that ago.
 * Checkpoints carry the sinks' health: a Parquet publish, a DuckDB commit or a DLQ publish that
 * fails fails its checkpoint's completion and restarts the job, which makes the job not ready.
 */
public final class Readiness {

    /** Ready or not, and why. */
    public record Verdict(boolean ready, String reason) {}

    private Readiness() {}

    public static Verdict evaluate(
            JsonNode job, JsonNode checkpoints, Duration interval, long nowMillis) {
        String state = job.path("state").asText("UNKNOWN");
        if (!state.equals("RUNNING")) {
            return new Verdict(false, "job is " + state);
        }
        for (JsonNode v : job.path("vertices")) {
            String s = v.path("status").asText();
            if (!s.equals("RUNNING") && !s.equals("FINISHED")) {
                return new Verdict(false, "task '" + v.path("name").asText() + "' is " + s);
            }
        }
        long window = Math.max(3 * interval.toMillis(), 60_000);
        JsonNode latest = checkpoints.path("latest").path("completed");
        long lastAck =
                latest.isMissingNode() || latest.isNull()
                        ? 0
                        : latest.path("latest_ack_timestamp").asLong(0);
        long started = job.path("start-time").asLong(nowMillis);
        if (lastAck > 0 && nowMillis - lastAck <= window) {
            return new Verdict(
                    true, "running; checkpoint " + latest.path("id").asLong() + " completed");
        }
        if (nowMillis - started <= window) {
            return new Verdict(true, "running; first checkpoint pending");
        }
        return new Verdict(
                false,
                lastAck == 0
                        ? "no checkpoint completed since the job started"
                        : "no checkpoint completed for " + (nowMillis - lastAck) / 1000 + " s");
    }
}
