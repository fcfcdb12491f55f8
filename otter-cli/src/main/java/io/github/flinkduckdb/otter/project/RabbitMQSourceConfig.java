package io.github.flinkduckdb.otter.project;

import io.github.flinkduckdb.otter.rabbitmq.RabbitMQConnectionConfig;

/**
 * A RabbitMQ queue. Messages are acknowledged only when the Flink checkpoint that covers their
 * output completes; {@code prefetch} bounds how many unacknowledged messages each parallel consumer
 * holds, so throughput is at most {@code prefetch} messages per consumer and checkpoint interval.
 *
 * @param host broker host
 * @param port AMQP port
 * @param vhost virtual host
 * @param username user name
 * @param password password, or null when {@code passwordEnv} names where it comes from; never
 *     printed
 * @param passwordEnv the environment variable that holds the password, read where the connection is
 *     opened (on the TaskManagers), so the password is not part of the job; or null
 * @param queue the source queue (declared durable, not exclusive, not auto-deleted)
 * @param dlq the dead-letter queue (declared the same way)
 * @param prefetch each consumer's prefetch count (unacknowledged messages in flight)
 * @param batchSize messages per micro-batch of the models
 * @param batchTimeoutMs the longest a message waits for its micro-batch
 * @param useCorrelationId whether producers set a unique message id or correlation id on every
 *     message, which makes the source de-duplicate redeliveries across its parallel consumers and
 *     restarts (exactly-once); otherwise at-least-once after failures
 * @param declareQueues whether the runner declares both queues at start (default true)
 */
public record RabbitMQSourceConfig(
        String host,
        int port,
        String vhost,
        String username,
        String password,
        String passwordEnv,
        String queue,
        String dlq,
        int prefetch,
        int batchSize,
        long batchTimeoutMs,
        boolean useCorrelationId,
        boolean declareQueues)
        implements SourceConfig {

    private static final long serialVersionUID = 1L;

    @Override
    public String type() {
        return "rabbitmq";
    }

    /** A copy reading from {@code otherQueue} (for tests and {@code dlq replay}). */
    public RabbitMQSourceConfig withQueues(String otherQueue, String otherDlq) {
        return new RabbitMQSourceConfig(
                host,
                port,
                vhost,
                username,
                password,
                passwordEnv,
                otherQueue,
                otherDlq,
                prefetch,
                batchSize,
                batchTimeoutMs,
                useCorrelationId,
                declareQueues);
    }

    @Override
    public String describe() {
        return "rabbitmq queue '"
                + queue
                + "' on "
                + username
                + "@"
                + host
                + ":"
                + port
                + vhostSuffix()
                + " (prefetch "
                + prefetch
                + (useCorrelationId ? ", de-duplicated by correlation id" : "")
                + ")";
    }

    @Override
    public String describeDeadLetters() {
        return "rabbitmq queue '" + dlq + "'";
    }

    private String vhostSuffix() {
        return "/".equals(vhost) ? "" : " vhost '" + vhost + "'";
    }

    /** The connection settings; with {@code passwordEnv} they carry no password. */
    public RabbitMQConnectionConfig connection() {
        return new RabbitMQConnectionConfig(host, port, vhost, username, password, passwordEnv);
    }

    /**
     * The password for a connection opened here: the configured one, or the value of {@code
     * passwordEnv} in this process's environment.
     *
     * @throws IllegalStateException naming the variable (never a value) when it is not set
     */
    public String resolvePassword() {
        return connection().resolvePassword();
    }

    @Override
    public String toString() {
        return "RabbitMQSourceConfig{" + describe() + ", dlq=" + dlq + ", password=******}";
    }
}
