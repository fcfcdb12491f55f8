package io.github.flinkduckdb.otter.project;

import org.apache.kafka.common.config.provider.EnvVarConfigProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

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
 *     printed); they travel inside the job graph
 * @param propertiesEnv Kafka client properties whose values are environment variables (property ->
 *     variable name): the job carries only a {@code ${env:NAME}} placeholder, which the Kafka
 *     client resolves itself where it is created (Kafka's {@link EnvVarConfigProvider}), so secrets
 *     such as {@code sasl.jaas.config} never enter the job graph
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
        Map<String, String> propertiesEnv,
        int batchSize,
        long batchTimeoutMs)
        implements SourceConfig {

    private static final long serialVersionUID = 1L;

    /**
     * The name under which {@link #clientProperties()} registers Kafka's {@link
     * EnvVarConfigProvider} ({@code config.providers}), i.e. the {@code env} of {@code
     * ${env:NAME}}.
     */
    public static final String ENV_PROVIDER = "env";

    private static final String PROVIDERS = "config.providers";

    public KafkaSourceConfig {
        topics = List.copyOf(topics);
        properties = Map.copyOf(properties);
        propertiesEnv = Map.copyOf(propertiesEnv);
    }

    /**
     * The properties every Kafka client of the project is created with: {@link #properties()}, and
     * for each entry of {@link #propertiesEnv()} the placeholder {@code ${env:NAME}} with Kafka's
     * {@link EnvVarConfigProvider} registered as {@value #ENV_PROVIDER}. The client (consumer,
     * producer, admin) replaces the placeholders when it is created, in the process that creates
     * it: on a cluster the TaskManagers (source readers, DLQ writer) and the JobManager (the Kafka
     * source's enumerator), locally the {@code otter} process.
     */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        if (propertiesEnv.isEmpty()) {
            return p;
        }
        propertiesEnv.forEach(
                (key, variable) -> p.put(key, "${" + ENV_PROVIDER + ":" + variable + "}"));
        String providers = p.getProperty(PROVIDERS, "").trim();
        List<String> names = new ArrayList<>();
        for (String name : providers.split(",")) {
            if (!name.trim().isEmpty()) {
                names.add(name.trim());
            }
        }
        if (!names.contains(ENV_PROVIDER)) {
            names.add(ENV_PROVIDER);
        }
        p.put(PROVIDERS, String.join(",", names));
        p.putIfAbsent(
                PROVIDERS + "." + ENV_PROVIDER + ".class", EnvVarConfigProvider.class.getName());
        return p;
    }

    /**
     * Checks that every variable of {@link #propertiesEnv()} is set in {@code environment} (a
     * missing one would reach Kafka as the literal placeholder, e.g. a JAAS config it cannot
     * parse).
     *
     * @param where the process, for the message (e.g. "this TaskManager")
     * @throws IllegalStateException naming the variables and their properties, never a value
     */
    public void requireEnvironment(Function<String, String> environment, String where) {
        Map<String, String> missing = new TreeMap<>();
        propertiesEnv.forEach(
                (key, variable) -> {
                    if (environment.apply(variable) == null) {
                        missing.put(key, variable);
                    }
                });
        if (!missing.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            missing.forEach(
                    (key, variable) ->
                            sb.append(sb.length() == 0 ? "" : ", ")
                                    .append(variable)
                                    .append(" (for ")
                                    .append(key)
                                    .append(')'));
            throw new IllegalStateException(
                    "The Kafka properties_env of "
                            + describe()
                            + " name environment variables that are not set in "
                            + where
                            + ": "
                            + sb);
        }
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
                + (propertiesEnv.isEmpty() ? "" : ", propertiesEnv=" + new TreeMap<>(propertiesEnv))
                + "}";
    }
}
