package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.testing.brokers.AmqpBroker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pipeline case's baseline and its broker side: a plain RabbitMQ consumer at its own best
 * settings for throughput ({@link #PREFETCH}, a multiple acknowledgement every {@link #ACK_EVERY}
 * messages; the best of {@link #sweep}), and the publishing of the case's messages.
 */
final class RawConsumer {

    /** The raw consumer's prefetch: the best of {@link #sweep} here. */
    static final int PREFETCH = 20_000;

    /** The raw consumer acknowledges (multiple) every this many messages: the best of the sweep. */
    static final int ACK_EVERY = 2_000;

    /** The settings {@link #sweep} tries: prefetch, then acknowledge every n messages. */
    static final int[][] SWEEP = {
        {500, 50}, {1_000, 100}, {5_000, 500}, {5_000, 2_500}, {20_000, 2_000}, {50_000, 5_000}
    };

    private RawConsumer() {}

    /** A connection to the test broker. */
    static Connection connect(AmqpBroker amqp, String name) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(amqp.host());
        factory.setPort(amqp.port());
        factory.setUsername(amqp.username());
        factory.setPassword(amqp.password());
        return factory.newConnection(name);
    }

    static void publish(Channel channel, String queue, List<byte[]> bodies, int first)
            throws Exception {
        channel.confirmSelect();
        for (int i = 0; i < bodies.size(); i++) {
            AMQP.BasicProperties props =
                    new AMQP.BasicProperties.Builder()
                            .correlationId("m-" + (first + i))
                            .deliveryMode(2)
                            .build();
            channel.basicPublish("", queue, props, bodies.get(i));
        }
        channel.waitForConfirmsOrDie(60_000);
    }

    /**
     * The raw consumer at each setting of {@link #SWEEP} on {@code messages} fresh messages, to
     * find its best (not part of the suite's rounds: {@code BenchmarkCase <dir> pipeline-raw-sweep
     * <messages>}).
     */
    static void sweep(int messages) throws Exception {
        AmqpBroker amqp = AmqpBroker.get();
        List<byte[]> bodies = new ArrayList<>(messages);
        for (OtterMessage m : TransformBenchmark.messages(messages)) {
            bodies.add(m.getPayload());
        }
        try (Connection connection = connect(amqp, "benchmark-sweep")) {
            Channel admin = connection.createChannel();
            try (BenchmarkQueues queues = BenchmarkQueues.open(amqp, admin)) {
                for (int[] setting : SWEEP) {
                    String queue =
                            queues.declare("sweep-" + UUID.randomUUID().toString().substring(0, 8));
                    publish(admin, queue, bodies, 0);
                    double seconds =
                            consume(connection, queue, messages, setting[0], setting[1], false)
                                    .seconds();
                    System.out.printf(
                            "RESULT|pipeline-raw-prefetch-%d-ack-every-%d|%d|%.3f|0|0|ok|0|0%n",
                            setting[0], setting[1], messages, seconds);
                    queues.delete(queue);
                }
            }
        }
    }

    /**
     * The baseline: consume with {@code prefetch} and acknowledge (multiple) every {@code ackEvery}
     * messages, from the delivery thread; returns the ended window (its steady part after a quarter
     * of the messages, split by thread with {@code byThread}).
     */
    static TimedWindow consume(
            Connection connection,
            String queue,
            int messages,
            int prefetch,
            int ackEvery,
            boolean byThread)
            throws Exception {
        TimedWindow window = new TimedWindow(messages, messages, byThread);
        consume(
                connection,
                queue,
                messages,
                prefetch,
                window,
                "raw consumer",
                (n, channel, envelope, properties, body) -> {
                    window.passed(n);
                    if (n % ackEvery == 0 || n == messages) {
                        channel.basicAck(envelope.getDeliveryTag(), true);
                    }
                    return n == messages;
                });
        return window;
    }

    /**
     * Consumes {@code queue} with {@code prefetch}, handing each delivery to {@code handler} on the
     * client's delivery thread, until it says it is done; then ends {@code window} and closes the
     * channel. Fails after 5 minutes, naming {@code consumer}.
     */
    static void consume(
            Connection connection,
            String queue,
            int messages,
            int prefetch,
            TimedWindow window,
            String consumer,
            DeliveryHandler handler)
            throws Exception {
        Channel channel = connection.createChannel();
        channel.basicQos(prefetch);
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        channel.basicConsume(
                queue,
                false,
                new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(
                            String tag,
                            Envelope envelope,
                            AMQP.BasicProperties properties,
                            byte[] body)
                            throws IOException {
                        long n = received.incrementAndGet();
                        if (handler.take(n, getChannel(), envelope, properties, body)) {
                            done.countDown();
                        }
                    }
                });
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException(
                    "The " + consumer + " got " + received.get() + " of " + messages + " messages");
        }
        window.end();
        channel.close();
    }

    /** What a consumer does with its {@code n}-th delivery (from 1) on the delivery thread. */
    @FunctionalInterface
    interface DeliveryHandler {
        /** Returns true when the consumer is done (its last message, or a failure). */
        boolean take(
                long n,
                Channel channel,
                Envelope envelope,
                AMQP.BasicProperties properties,
                byte[] body)
                throws IOException;
    }
}
