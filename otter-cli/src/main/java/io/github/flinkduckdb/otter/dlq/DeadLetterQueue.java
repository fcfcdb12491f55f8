package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.project.FileSourceConfig;
import io.github.flinkduckdb.otter.project.KafkaSourceConfig;
import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;
import io.github.flinkduckdb.otter.project.SourceConfig;

import java.io.IOException;
import java.util.List;

/** The dead letters of a project, for {@code otter dlq inspect} and {@code otter dlq replay}. */
public interface DeadLetterQueue {

    /** Up to {@code limit} dead letters, oldest first, without removing any. */
    List<DeadLetterMessage> inspect(int limit) throws IOException;

    /**
     * Moves every dead letter present when the call starts to {@code target} (null: back to the
     * source), each exactly once, body unchanged.
     *
     * @return the number of messages moved
     */
    long replay(String target) throws IOException;

    /** What {@code replay(null)} moves messages to, for messages. */
    String defaultTarget();

    static DeadLetterQueue of(SourceConfig source) {
        if (source instanceof RabbitMQSourceConfig) {
            return new RabbitMQDeadLetterQueue((RabbitMQSourceConfig) source);
        }
        if (source instanceof KafkaSourceConfig) {
            return new KafkaDeadLetterQueue((KafkaSourceConfig) source);
        }
        return new ParquetDeadLetterFolder((FileSourceConfig) source);
    }
}
