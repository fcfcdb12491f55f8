package io.github.flinkduckdb.otter.project;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka topics read with Flink's {@code KafkaSource}; offsets are committed to the group when a
 * checkpoint completes (for monitoring; the checkpoint itself holds the positions).
 *
 * @param bootstrapServers {@code host:port,...}
 * @param topics topics to read
 * @param groupId the consumer group
 * @param startingOffsets {@code committed} (the group's offsets, else the earliest), {@code
 *     earliest} or {@code latest}; only for a job that does not resume from a checkpoint
 * @param dlqTopic where dead letters go
 * @param properties extra Kafka client properties (values of keys that look secret are never
 *     printed)
 * @param batchSize messages per micro-batch of the models
 * @param batchTimeoutMs the longest a message waits for its micro-batch
 */
public record KafkaSourceConfig(
        String bootstrapServers,
        List<String> topics,
        String groupId,
        String startingOffsets,
        String dlqTopic,
        Map<String, String> properties,
        int batchSize,
        long batchTimeoutMs)
        implements SourceConfig {

    private static final long serialVersionUID = 1L;

    public KafkaSourceConfig {
        topics = List.copyOf(topics);
        properties = Map.copyOf(properties);
    }

    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public String describe() {
        return "kafka topic"
                + (topics.size() == 1 ? " '" + topics.get(0) + "'" : "s " + topics)
                + " on "
                + bootstrapServers
                + " (group '"
                + groupId
                + "', starting offsets "
                + startingOffsets
                + ")";
    }

    @Override
    public String describeDeadLetters() {
        return "kafka topic '" + dlqTopic + "'";
    }

    /** The extra properties with secret-looking values masked. */
    public Map<String, String> redactedProperties() {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((k, v) -> out.put(k, Secrets.looksSecret(k) ? "******" : v));
        return out;
    }

    @Override
    public String toString() {
        return "KafkaSourceConfig{"
                + describe()
                + ", dlq="
                + dlqTopic
                + ", properties="
                + redactedProperties()
                + "}";
    }
}
