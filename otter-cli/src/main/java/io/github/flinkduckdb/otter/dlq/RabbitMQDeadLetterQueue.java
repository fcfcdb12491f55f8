package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The DLQ queue of a RabbitMQ project. Inspecting takes messages without acknowledging them and
 * then returns them all with one {@code basic.nack(requeue)}, which puts them back at their
 * original positions: they stay in the queue, in order. Replaying moves each message in its own
 * AMQP transaction that covers both the publish to the target and the ack on the DLQ, so a crash
 * neither loses nor copies a message.
 */
final class RabbitMQDeadLetterQueue implements DeadLetterQueue {

    private final RabbitMQSourceConfig config;

    RabbitMQDeadLetterQueue(RabbitMQSourceConfig config) {
        this.config = config;
    }

    @Override
    public String defaultTarget() {
        return config.queue();
    }

    @Override
    public List<DeadLetterMessage> inspect(int limit) throws IOException {
        try (Connection connection = RabbitMQConnections.open(config, "otter-dlq-inspect")) {
            Channel channel = connection.createChannel();
            requireQueue(connection, config.dlq());
            List<DeadLetterMessage> out = new ArrayList<>();
            long lastTag = -1;
            while (out.size() < limit) {
                GetResponse r = channel.basicGet(config.dlq(), false);
                if (r == null) {
                    break;
                }
                lastTag = r.getEnvelope().getDeliveryTag();
                out.add(
                        new DeadLetterMessage(
                                String.valueOf(out.size() + 1),
                                r.getBody(),
                                headers(r.getProps())));
            }
            if (lastTag >= 0) {
                channel.basicNack(lastTag, true, true);
            }
            channel.close();
            return out;
        } catch (TimeoutException e) {
            throw new IOException("RabbitMQ did not answer: " + e.getMessage(), e);
        }
    }

    @Override
    public long replay(String target) throws IOException {
        String to = target == null ? config.queue() : target;
        if (to.equals(config.dlq())) {
            throw new IllegalArgumentException(
                    "The replay target is the DLQ itself (" + to + "); name another queue");
        }
        try (Connection connection = RabbitMQConnections.open(config, "otter-dlq-replay")) {
            requireQueue(connection, config.dlq());
            Channel channel = connection.createChannel();
            if (target == null && config.declareQueues()) {
                RabbitMQConnections.declare(channel, to);
            } else {
                requireQueue(connection, to);
            }
            long present = channel.queueDeclarePassive(config.dlq()).getMessageCount();
            channel.txSelect();
            long moved = 0;
            // Only the messages present at the start: a replay that fails again and comes back
            // to the DLQ is not replayed twice in one run.
            while (moved < present) {
                GetResponse r = channel.basicGet(config.dlq(), false);
                if (r == null) {
                    break;
                }
                channel.basicPublish("", to, replayProperties(r.getProps()), r.getBody());
                channel.basicAck(r.getEnvelope().getDeliveryTag(), false);
                channel.txCommit();
                moved++;
            }
            channel.close();
            return moved;
        } catch (TimeoutException e) {
            throw new IOException("RabbitMQ did not answer: " + e.getMessage(), e);
        }
    }

    /** The original message id goes back as message id; the dead-letter headers are dropped. */
    static AMQP.BasicProperties replayProperties(AMQP.BasicProperties dlq) {
        Map<String, Object> headers = new HashMap<>();
        String originalId = null;
        if (dlq.getHeaders() != null) {
            Object id = dlq.getHeaders().get(DeadLetterHeaders.MESSAGE_ID);
            originalId = id == null ? null : id.toString();
            Object count = dlq.getHeaders().get("x-otter-replays");
            int replays = count == null ? 0 : Integer.parseInt(count.toString());
            headers.put("x-otter-replays", replays + 1);
        }
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType(dlq.getContentType())
                .messageId(originalId)
                .correlationId(originalId)
                .headers(headers)
                .build();
    }

    private static void requireQueue(Connection connection, String queue) throws IOException {
        // A passive declare fails (and closes its channel) when the queue does not exist.
        try {
            Channel probe = connection.createChannel();
            probe.queueDeclarePassive(queue);
            probe.close();
        } catch (IOException e) {
            throw new IOException("RabbitMQ queue '" + queue + "' does not exist", e);
        } catch (TimeoutException e) {
            throw new IOException("RabbitMQ did not answer: " + e.getMessage(), e);
        }
    }

    static Map<String, String> headers(AMQP.BasicProperties props) {
        Map<String, String> out = new LinkedHashMap<>();
        if (props.getHeaders() != null) {
            props.getHeaders()
                    .forEach(
                            (k, v) ->
                                    out.put(
                                            k,
                                            v instanceof byte[]
                                                    ? new String((byte[]) v, StandardCharsets.UTF_8)
                                                    : String.valueOf(v)));
        }
        if (props.getMessageId() != null) {
            out.putIfAbsent("message_id", props.getMessageId());
        }
        return out;
    }
}
