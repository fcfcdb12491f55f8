package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.runner.OtterRun;
import io.github.flinkduckdb.otter.runner.ProjectChecks;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;
import io.github.flinkduckdb.otter.runner.RunOptions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
