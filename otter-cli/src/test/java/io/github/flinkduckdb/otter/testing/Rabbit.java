package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.testing.brokers.AmqpBroker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The test broker ({@link AmqpBroker}: the machine's RabbitMQ or Qpid Broker-J) for tests: unique
 * queues, publishing, reading, cleanup.
 */
public final class Rabbit implements AutoCloseable {

    private final List<String> queues = new ArrayList<>();
    private Connection connection;
    private Channel channel;

    public Rabbit() throws Exception {
        connect();
    }

    private void connect() throws Exception {
        AmqpBroker broker = broker();
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(broker.host());
        f.setPort(broker.port());
        f.setUsername(broker.username());
        f.setPassword(broker.password());
        connection = f.newConnection("otter-test");
        channel = connection.createChannel();
    }

    /** Opens a new connection (after a broker restart closed this one); keeps the queues. */
    public void reconnect() throws Exception {
        try {
            if (connection.isOpen()) {
                connection.close();
            }
        } catch (Exception e) {
            // it died with the broker
        }
        connect();
    }

    /** The broker of this JVM, started on first use. */
    public static AmqpBroker broker() throws Exception {
        return AmqpBroker.get();
    }

    /**
     * The {@code host}, {@code port} and {@code username} lines of a {@code config/sources.yml}
     * rabbitmq source for the test broker, indented by two spaces.
     */
    public static String sourceYaml() throws Exception {
        AmqpBroker b = broker();
        return "  host: "
                + b.host()
                + "\n  port: "
                + b.port()
                + "\n  username: "
                + b.username()
                + "\n";
    }

    /** A new durable queue with a unique name, deleted on close. */
    public String queue(String prefix) throws Exception {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        channel.queueDeclare(name, true, false, false, null);
        queues.add(name);
        return name;
    }

    /** Remembers a queue someone else declares, to delete it on close. */
    public void forget(String name) {
        queues.add(name);
    }

    public void publish(String queue, String body, String correlationId) throws Exception {
        AMQP.BasicProperties props =
                new AMQP.BasicProperties.Builder()
                        .deliveryMode(2)
                        .correlationId(correlationId)
                        .build();
        channel.basicPublish("", queue, props, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Messages in the queue: ready ones on RabbitMQ, all not yet acknowledged on Qpid (see {@link
     * AmqpBroker}); 0 on both once every message is acknowledged. -1 when the queue does not exist.
     */
    public long count(String queue) throws Exception {
        // A passive declare of a missing queue closes its channel: use a throwaway one.
        Channel probe = connection.createChannel();
        try {
            return probe.queueDeclarePassive(queue).getMessageCount();
        } catch (java.io.IOException e) {
            return -1;
        } finally {
            if (probe.isOpen()) {
                probe.close();
            }
        }
    }

    /** Takes (and acknowledges) every message of the queue, in order. */
    public List<GetResponse> drain(String queue) throws Exception {
        List<GetResponse> out = new ArrayList<>();
        GetResponse r;
        while ((r = channel.basicGet(queue, true)) != null) {
            out.add(r);
        }
        return out;
    }

    public static String header(GetResponse r, String name) {
        Object v = r.getProps().getHeaders() == null ? null : r.getProps().getHeaders().get(name);
        return v == null ? null : v.toString();
    }

    public static String body(GetResponse r) {
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        for (String q : queues) {
            try {
                channel.queueDelete(q);
            } catch (Exception e) {
                // already gone
            }
        }
        connection.close();
    }
}
