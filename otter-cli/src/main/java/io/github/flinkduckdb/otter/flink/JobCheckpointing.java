package io.github.flinkduckdb.otter.flink;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;

/** What otter's operators need to know about the job's checkpointing, on both Flink lines. */
public final class JobCheckpointing {

    private JobCheckpointing() {}

    /**
     * Whether the job checkpoints: its checkpoint interval in the job configuration (both Flink
     * lines have it there; the runtime context's flag is gone in Flink 2).
     *
     * @param jobConfiguration the task environment's job configuration
     */
    public static boolean enabled(Configuration jobConfiguration) {
        return jobConfiguration
                .getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                .map(interval -> interval.toMillis() > 0)
                .orElse(false);
    }
}
