package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Connections to the project's RabbitMQ; messages name host and port, never the password. */
public final class RabbitMQConnections {

    private RabbitMQConnections() {}

    public static Connection open(RabbitMQSourceConfig config, String clientName)
            throws IOException {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(config.host());
        f.setPort(config.port());
        f.setVirtualHost(config.vhost());
        f.setUsername(config.username());
        f.setPassword(config.resolvePassword());
        f.setConnectionTimeout(10_000);
        f.setAutomaticRecoveryEnabled(false);
        try {
            return f.newConnection(clientName);
        } catch (IOException | TimeoutException e) {
            throw new IOException(
                    "Cannot connect to RabbitMQ at "
                            + config.host()
                            + ":"
                            + config.port()
                            + " as "
                            + config.username()
                            + ": "
                            + describe(e),
                    e);
        }
    }

    /** Declares {@code queue} as the runner does: durable, not exclusive, not auto-deleted. */
    public static void declare(Channel channel, String queue) throws IOException {
        channel.queueDeclare(queue, true, false, false, null);
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
