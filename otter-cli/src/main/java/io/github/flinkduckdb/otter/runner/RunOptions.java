package io.github.flinkduckdb.otter.runner;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code otter run} runs a project.
 *
 * @param checkpointInterval how often Flink checkpoints: rows become visible and messages are
 *     acknowledged at checkpoints
 * @param parallelism the models' and sinks' parallelism (the RabbitMQ source too: one consumer per
 *     parallel reader)
 * @param jobManager {@code host:port} of a remote cluster's REST endpoint, or null for the embedded
 *     MiniCluster
 * @param stateDir checkpoints and savepoints ({@code <project>/.otter} by default)
 * @param fresh whether to ignore earlier checkpoints and savepoints and start from scratch
 * @param fromSavepoint resume from this savepoint or retained checkpoint, or null for the newest
 *     one in {@code stateDir}
 * @param healthPort the port of {@code /readyz} and {@code /healthz} on 127.0.0.1, 0 for none,
 *     {@link #ANY_PORT} for a free port the system picks ({@code OtterRun.healthPort()} says which)
 * @param progressInterval how often the progress line is printed, zero for never
 * @param jobJar the jar shipped to a remote cluster, or null to find it
 * @param maxRestarts restarts after failures before the run gives up, negative for no bound
 */
public record RunOptions(
        Duration checkpointInterval,
        int parallelism,
        String jobManager,
        Path stateDir,
        boolean fresh,
        String fromSavepoint,
        int healthPort,
        Duration progressInterval,
        Path jobJar,
        int maxRestarts) {

    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    /** A {@code healthPort} that serves on a free port the system picks (tools and tests). */
    public static final int ANY_PORT = -1;

    public boolean embedded() {
        return jobManager == null;
    }
}
