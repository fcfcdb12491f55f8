package io.github.flinkduckdb.otter.runner;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;

/**
 * The readiness rule behind {@code /readyz}, from Flink's REST job status and checkpoint
 * statistics: the job is {@code RUNNING}, every task is {@code RUNNING} (or {@code FINISHED}, for a
 * source that read all its files), and checkpoints complete: the latest completed checkpoint is
 * younger than three checkpoint intervals (at least 60 s), or the job started less than that ago;
 * and no failure since the latest completed checkpoint. A Parquet publish, a DuckDB commit or a DLQ
 * publish runs after its checkpoint completed; when it fails, the task fails and the job restarts
 * from that checkpoint, so a failure newer than the latest completed checkpoint means the outputs
 * have not caught up yet: not ready, with the failure's reason ({@link JobFailures}), until a
 * checkpoint completes after it (the restarted job published what the failed attempt could not).
 */
public final class Readiness {

    /** Ready or not, and why. */
    public record Verdict(boolean ready, String reason) {}

    private Readiness() {}

    public static Verdict evaluate(
            JsonNode job, JsonNode checkpoints, Duration interval, long nowMillis) {
        return evaluate(job, checkpoints, null, interval, nowMillis);
    }

    /** As above, with the job's exception history ({@code GET /jobs/<id>/exceptions}). */
    public static Verdict evaluate(
            JsonNode job,
            JsonNode checkpoints,
            JsonNode exceptions,
            Duration interval,
            long nowMillis) {
        JsonNode latest = checkpoints.path("latest").path("completed");
        long lastAck =
                latest.isMissingNode() || latest.isNull()
                        ? 0
                        : latest.path("latest_ack_timestamp").asLong(0);
        List<JobFailures.Failure> failures = JobFailures.parse(exceptions);
        if (!failures.isEmpty()) {
            JobFailures.Failure last = failures.get(failures.size() - 1);
            if (last.timestamp() >= lastAck) {
                return new Verdict(
                        false,
                        "failing for "
                                + Math.max(0, (nowMillis - failureStart(failures, lastAck)) / 1000)
                                + " s, retrying: "
                                + last.reason());
            }
        }
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

    /** The first failure after the latest completed checkpoint: when the outage began. */
    private static long failureStart(List<JobFailures.Failure> failures, long lastAck) {
        for (JobFailures.Failure f : failures) {
            if (f.timestamp() >= lastAck) {
                return f.timestamp();
            }
        }
        return failures.get(failures.size() - 1).timestamp();
    }
}
