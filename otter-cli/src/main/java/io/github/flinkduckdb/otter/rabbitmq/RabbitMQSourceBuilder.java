package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

/**
 * Builds a {@link RabbitMQSource}. Required: the connection ({@link #setConnection} or host, user
 * and a password or password variable), {@link #setQueue} and {@link #setDeserializer}.
 *
 * @param <T> the record type
 */
@PublicEvolving
public final class RabbitMQSourceBuilder<T> {

    /**
     * Default prefetch: 10,000 unacknowledged messages per reader, 1,000 messages per second per
     * reader with a 10 s checkpoint interval before consumption waits for the checkpoint.
     */
    public static final int DEFAULT_PREFETCH = 10_000;

    private RabbitMQConnectionConfig connection;
    private String host;
    private int port = 5672;
    private String virtualHost = "/";
    private String username;
    private String password;
    private String passwordEnv;
    private String queue;
    private boolean declareQueue;
    private int prefetch = DEFAULT_PREFETCH;
    private boolean deduplicate;
    private RabbitMQDeserializer<T> deserializer;

    RabbitMQSourceBuilder() {}

    /** All connection settings at once (instead of host, port, ... one by one). */
    public RabbitMQSourceBuilder<T> setConnection(RabbitMQConnectionConfig connection) {
        this.connection = connection;
        return this;
    }

    public RabbitMQSourceBuilder<T> setHost(String host) {
        this.host = host;
        return this;
    }

    public RabbitMQSourceBuilder<T> setPort(int port) {
        this.port = port;
        return this;
    }

    public RabbitMQSourceBuilder<T> setVirtualHost(String virtualHost) {
        this.virtualHost = virtualHost;
        return this;
    }

    public RabbitMQSourceBuilder<T> setUsername(String username) {
        this.username = username;
        return this;
    }

    /** The password, carried in the job graph; prefer {@link #setPasswordEnv}. */
    public RabbitMQSourceBuilder<T> setPassword(String password) {
        this.password = password;
        return this;
    }

    /** The environment variable of the TaskManagers that holds the password. */
    public RabbitMQSourceBuilder<T> setPasswordEnv(String passwordEnv) {
        this.passwordEnv = passwordEnv;
        return this;
    }

    public RabbitMQSourceBuilder<T> setQueue(String queue) {
        this.queue = queue;
        return this;
    }

    /** Declare the queue when a reader connects: durable, not exclusive, not auto-deleted. */
    public RabbitMQSourceBuilder<T> setDeclareQueue(boolean declareQueue) {
        this.declareQueue = declareQueue;
        return this;
    }

    /**
     * Unacknowledged messages one reader may hold. Must exceed the messages a reader takes per
     * checkpoint interval, or consumption waits for each checkpoint; default {@value
     * #DEFAULT_PREFETCH}.
     */
    public RabbitMQSourceBuilder<T> setPrefetchCount(int prefetch) {
        this.prefetch = prefetch;
        return this;
    }

    /**
     * Drop redeliveries by message id (else correlation id), across readers and restarts:
     * exactly-once when producers give every message a unique id. See {@link RabbitMQSource}.
     */
    public RabbitMQSourceBuilder<T> setDeduplication(boolean deduplicate) {
        this.deduplicate = deduplicate;
        return this;
    }

    public RabbitMQSourceBuilder<T> setDeserializer(RabbitMQDeserializer<T> deserializer) {
        this.deserializer = deserializer;
        return this;
    }

    public RabbitMQSource<T> build() {
        Preconditions.checkArgument(
                queue != null && !queue.isEmpty(), "The RabbitMQ queue must be set (setQueue).");
        Preconditions.checkNotNull(
                deserializer, "A deserializer must be set (setDeserializer) for queue " + queue);
        Preconditions.checkArgument(
                prefetch >= 1 && prefetch <= 65_535,
                "The prefetch count must be 1..65535 (AMQP's limit), got %s.",
                prefetch);
        RabbitMQConnectionConfig c = connection;
        if (c == null) {
            Preconditions.checkArgument(
                    username != null, "The RabbitMQ user must be set (setUsername).");
            c =
                    new RabbitMQConnectionConfig(
                            host, port, virtualHost, username, password, passwordEnv);
        } else {
            Preconditions.checkArgument(
                    host == null && username == null && password == null && passwordEnv == null,
                    "Set the connection either with setConnection or with setHost/setUsername/"
                            + "setPassword(Env), not both.");
        }
        return new RabbitMQSource<>(c, queue, declareQueue, prefetch, deduplicate, deserializer);
    }
}
