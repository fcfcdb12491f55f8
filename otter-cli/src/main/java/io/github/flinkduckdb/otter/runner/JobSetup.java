package io.github.flinkduckdb.otter.runner;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;

import java.nio.file.Path;
import java.time.Duration;

/** The job configuration every Otter job gets, embedded or on a cluster. */
public final class JobSetup {

    private JobSetup() {}

    /**
     * Exactly-once checkpoints every {@code interval}, retained on cancellation (so a killed run
     * can resume), in {@code stateDir} when given; restarts with exponential backoff.
     */
    public static Configuration configuration(
            Duration interval, Path stateDir, String restoreFrom) {
        return configuration(interval, stateDir, restoreFrom, -1);
    }

    /**
     * As {@link #configuration(Duration, Path, String)}; {@code maxRestarts} bounds the restarts
     * after failures (the backoff grows from 0.5 s to 30 s and resets after an hour without a
     * failure), negative for no bound.
     */
    public static Configuration configuration(
            Duration interval, Path stateDir, String restoreFrom, int maxRestarts) {
        Configuration conf = new Configuration();
        if (interval != null) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
            conf.set(
                    CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                    CheckpointingMode.EXACTLY_ONCE);
            conf.set(
                    CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS,
                    interval.dividedBy(4).compareTo(Duration.ofSeconds(1)) > 0
                            ? Duration.ofSeconds(1)
                            : interval.dividedBy(4));
        }
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
        if (stateDir != null) {
            conf.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    stateDir.resolve("checkpoints").toUri().toString());
            conf.set(
                    CheckpointingOptions.SAVEPOINT_DIRECTORY,
                    stateDir.resolve("savepoints").toUri().toString());
        }
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY,
                maxRestarts == 0 ? "none" : "exponential-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofMillis(500));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofSeconds(30));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofHours(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                maxRestarts <= 0 ? Integer.MAX_VALUE : maxRestarts);
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        }
        return conf;
    }
}
