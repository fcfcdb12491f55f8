package io.github.flinkduckdb.otter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One connection and channel consuming the queue with manual acknowledgements and a prefetch limit.
 * Deliveries go to the handover tagged with this consumer's epoch; acknowledgements go back on the
 * same channel, the only one on which their tags are valid.
 */
final class QueueConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueConsumer.class);

    private final long epoch;
    private final String queue;
    private final Connection connection;
    private final Channel channel;

    private QueueConsumer(long epoch, String queue, Connection connection, Channel channel) {
        this.epoch = epoch;
        this.queue = queue;
        this.connection = connection;
        this.channel = channel;
    }

    /** Connects, declares the queue when asked to, and starts consuming into {@code handover}. */
    static QueueConsumer start(
            RabbitMQConnectionConfig config,
            String clientName,
            String queue,
            boolean declareQueue,
            int prefetch,
            long epoch,
            DeliveryHandover handover)
            throws IOException {
        Connection connection = config.open(clientName);
        try {
            Channel channel = connection.createChannel();
            if (declareQueue) {
                channel.queueDeclare(queue, true, false, false, null);
            }
            channel.basicQos(prefetch);
            QueueConsumer consumer = new QueueConsumer(epoch, queue, connection, channel);
            channel.basicConsume(
                    queue,
                    false,
                    clientName + "-" + epoch,
                    new DefaultConsumer(channel) {
                        @Override
                        public void handleDelivery(
                                String consumerTag,
                                Envelope envelope,
                                AMQP.BasicProperties properties,
                                byte[] body) {
                            handover.offerDelivery(epoch, envelope, properties, body);
                        }

                        @Override
                        public void handleCancel(String consumerTag) {
                            handover.offer(
                                    new DeliveryHandover.ConnectionLost(
                                            epoch,
                                            "the broker cancelled the consumer (queue "
                                                    + queue
                                                    + " deleted?)"));
                        }

                        @Override
                        public void handleShutdownSignal(
                                String consumerTag, ShutdownSignalException sig) {
                            handover.offer(
                                    new DeliveryHandover.ConnectionLost(
                                            epoch, String.valueOf(sig.getMessage())));
                        }
                    });
            return consumer;
        } catch (IOException | RuntimeException e) {
            closeQuietly(connection);
            throw new IOException(
                    "Cannot consume RabbitMQ queue " + queue + " at " + config.address() + ": " + e,
                    e);
        }
    }

    long epoch() {
        return epoch;
    }

    /** Whether the client still thinks the channel open (it may not know yet that it is not). */
    boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Acknowledges every delivery up to {@code deliveryTag}; the future completes once the broker
     * has processed it: the broker answers a method on the same channel only after it handled the
     * frames sent before it, so the reply to a passive declare of the queue sent right after proves
     * the acknowledgement arrived. The caller does not wait for it: the task thread goes on
     * emitting (waiting took 17% of its time in the pipeline benchmark, the broker answering after
     * ~25 ms while busy with deliveries). The future completes on the connection's thread.
     */
    CompletableFuture<?> acknowledgeUpTo(long deliveryTag) throws IOException {
        channel.basicAck(deliveryTag, true);
        return channel.asyncCompletableRpc(
                new AMQP.Queue.Declare.Builder().queue(queue).passive().build());
    }

    /**
     * Proves the channel alive now: a synchronous call the broker answers only on an open channel
     * (it throws once the broker closed the connection, even before the client noticed).
     */
    void verifyAlive() throws IOException {
        channel.queueDeclarePassive(queue);
    }

    @Override
    public void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            if (connection.isOpen()) {
                connection.close(5_000);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing a RabbitMQ connection failed", e);
        }
    }
}
