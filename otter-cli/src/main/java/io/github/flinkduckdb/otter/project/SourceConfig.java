package io.github.flinkduckdb.otter.project;

import java.io.Serializable;

/**
 * Where messages come from ({@code config/sources.yml}, key {@code source}): RabbitMQ, Kafka or
 * JSON-lines files. Implementations never print secrets in {@code toString()}.
 */
public sealed interface SourceConfig extends Serializable
        permits RabbitMQSourceConfig, KafkaSourceConfig, FileSourceConfig {

    /** {@code rabbitmq}, {@code kafka} or {@code file}. */
    String type();

    /** Messages per micro-batch of the models ({@code batch_size}). */
    int batchSize();

    /** The longest a message waits for its micro-batch to fill ({@code batch_timeout_ms}). */
    long batchTimeoutMs();

    /** One line for logs and {@code otter validate}, without secrets. */
    String describe();

    /** Where dead letters go, for messages: a queue, a topic or a folder. */
    String describeDeadLetters();
}
