package io.github.flinkduckdb.otter.project;

import java.nio.file.Path;
import java.time.Duration;

/**
 * JSON-lines files: one message per line, from one file or every file in a folder. Bounded (read
 * what is there, then finish) or watched (new files in the folder are picked up every {@code
 * monitorInterval}). Dead letters are written as Parquet files under {@code dlqPath}, with the same
 * atomic commit as the Parquet output.
 *
 * @param path a file or a folder
 * @param watch whether to keep watching the folder for new files
 * @param monitorInterval how often a watched folder is listed
 * @param dlqPath the dead-letter folder
 * @param batchSize messages per micro-batch of the models
 * @param batchTimeoutMs the longest a message waits for its micro-batch
 */
public record FileSourceConfig(
        String path,
        boolean watch,
        Duration monitorInterval,
        String dlqPath,
        int batchSize,
        long batchTimeoutMs)
        implements SourceConfig {

    private static final long serialVersionUID = 1L;

    @Override
    public String type() {
        return "file";
    }

    public Path file() {
        return Path.of(path);
    }

    @Override
    public String describe() {
        return "JSON lines from "
                + path
                + (watch
                        ? " (watched every " + Durations.format(monitorInterval) + ")"
                        : " (read once)");
    }

    @Override
    public String describeDeadLetters() {
        return "Parquet files under " + dlqPath;
    }
}
