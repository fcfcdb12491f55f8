package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.runner.FlinkRest;
import io.github.flinkduckdb.otter.runner.OtterRun;
import io.github.flinkduckdb.otter.runner.ProjectChecks;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;
import io.github.flinkduckdb.otter.runner.RunOptions;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code otter run} in the test's JVM, on the embedded MiniCluster, as the command builds it:
 * checkpoints every 300 ms, parallelism 2, no progress line.
 */
public final class OtterRuns {

    private OtterRuns() {}

    /** The project with {@code OTTER_OUTPUT} set to {@code out}. */
    public static OtterProject load(Path project, Path out) {
        return OtterProject.load(
                project,
                null,
                null,
                Interpolator.withOverrides(Map.of("OTTER_OUTPUT", out.toString())));
    }

    /**
     * A checked run of {@code project} with its state in {@code stateDir}; {@code healthPort} 0 for
     * no {@code /readyz}; {@code maxRestarts} as {@code --max-restarts}.
     */
    public static OtterRun embedded(
            OtterProject project, Path stateDir, boolean fresh, int healthPort, int maxRestarts) {
        OtterTransform transform = ProjectTransforms.build(project);
        ProjectChecks.check(project, transform);
        return new OtterRun(
                project,
                transform,
                new RunOptions(
                        Duration.ofMillis(300),
                        2,
                        null,
                        stateDir,
                        fresh,
                        null,
                        healthPort,
                        Duration.ZERO,
                        null,
                        maxRestarts),
                System.out);
    }

    /** Runs {@code run} on another thread; the future ends with the run. */
    public static CompletableFuture<OtterRun.Summary> async(OtterRun run) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return run.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /**
     * {@code GET <path>} of the run's health server ({@code /readyz}, {@code /healthz}): the status
     * code, a space, the body.
     */
    public static String health(OtterRun run, String path) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + run.healthPort()
                                                                + path))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    /**
     * Where the run's job stands, for a timeout's message: its state, its checkpoints (completed,
     * failed, in progress) and its failures with the newest one's first line, e.g. {@code "job
     * RUNNING; checkpoints 41 completed, 3 failed, 1 in progress; 2 failures, newest:
     * org.apache.kafka...TimeoutException: ..."}.
     */
    public static String describe(OtterRun run) {
        if (run.jobId() == null) {
            return "job not submitted";
        }
        FlinkRest rest = new FlinkRest(run.restAddress());
        StringBuilder sb = new StringBuilder("job ");
        try {
            sb.append(rest.job(run.jobId()).path("state").asText("?"));
            JsonNode counts = rest.checkpoints(run.jobId()).path("counts");
            sb.append("; checkpoints ")
                    .append(counts.path("completed").asLong())
                    .append(" completed, ")
                    .append(counts.path("failed").asLong())
                    .append(" failed, ")
                    .append(counts.path("in_progress").asLong())
                    .append(" in progress");
            JsonNode failures =
                    rest.exceptions(run.jobId()).path("exceptionHistory").path("entries");
            sb.append("; ").append(failures.size()).append(" failures");
            if (failures.size() > 0) {
                String trace = failures.get(0).path("stacktrace").asText("");
                int eol = trace.indexOf('\n');
                sb.append(", newest: ").append(eol < 0 ? trace : trace.substring(0, eol));
            }
        } catch (Exception e) {
            sb.append("(the cluster did not answer: ").append(e).append(')');
        }
        return sb.toString();
    }

    /**
     * For a test's clean-up: stops a run that a failed assertion left going (its MiniCluster would
     * otherwise keep working through the next tests of the JVM and keep the JVM from exiting).
     */
    public static void stopIfRunning(OtterRun run, CompletableFuture<OtterRun.Summary> done) {
        if (run == null || done == null || done.isDone()) {
            return;
        }
        run.requestStop();
        try {
            done.get(2, TimeUnit.MINUTES);
        } catch (Exception ignored) {
            // the test has failed already; its own error is the one to see
        }
    }

    /**
     * Asserts the run stopped with a savepoint; the failure shows the whole summary (a cancelled
     * stop says why).
     */
    public static OtterRun.Summary assertStopped(OtterRun.Summary summary) {
        assertThat(summary.finalState()).as("how the run ended: %s", summary).isEqualTo("STOPPED");
        return summary;
    }

    /** True while the run goes on; an {@link AssertionError} with its outcome once it ended. */
    public static boolean running(CompletableFuture<OtterRun.Summary> done) {
        if (done.isDone()) {
            throw new AssertionError(
                    "The run ended",
                    done.handle((r, e) -> e != null ? e : new Exception("" + r)).join());
        }
        return true;
    }
}
