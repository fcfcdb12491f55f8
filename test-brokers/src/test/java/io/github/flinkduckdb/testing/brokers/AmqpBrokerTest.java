package io.github.flinkduckdb.testing.brokers;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the project's tests rely on, on Qpid Broker-J and, when it runs, on the machine's RabbitMQ:
 * transactions, publisher confirms, ack/nack/reject with requeue, ids and headers, queue
 * declare/purge/passive declare, basic.get, prefetch with two consumers; on Qpid also a restart
 * that keeps durable queues and persistent messages.
 */
class AmqpBrokerTest {

    private static AmqpBroker qpid;
    private final List<Connection> connections = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();
    private AmqpBroker broker;

    @BeforeAll
    static void startQpid() throws Exception {
        qpid = AmqpBroker.select("qpid");
    }

    static List<AmqpBroker> brokers() throws Exception {
        List<AmqpBroker> out = new ArrayList<>();
        out.add(qpid);
        if (AmqpBroker.isRabbitMQ(AmqpBroker.RABBITMQ_PORT)) {
            out.add(AmqpBroker.select("rabbitmq"));
        }
        return out;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (broker != null) {
            try (Connection c = connect(broker)) {
                Channel ch = c.createChannel();
                for (String q : queues) {
                    ch.queueDelete(q);
                }
            }
        }
        for (Connection c : connections) {
            if (c.isOpen()) {
                c.close();
            }
        }
    }

    @Test
    void qpidListensOnAFreeLoopbackPortAsGuest() {
        assertThat(qpid.kind()).isEqualTo(AmqpBroker.Kind.QPID);
        assertThat(qpid.host()).isEqualTo("127.0.0.1");
        assertThat(qpid.port()).isNotEqualTo(5672).isPositive();
        assertThat(qpid.canRestart()).isTrue();
        assertThat(AmqpBroker.isRabbitMQ(qpid.port())).as("Qpid is not RabbitMQ").isFalse();
        assertThat(qpid.toString()).isEqualTo("Qpid Broker-J on 127.0.0.1:" + qpid.port());
    }

    @Test
    void theSelectionIsAutoRabbitmqOrQpid() {
        String before = System.getProperty(AmqpBroker.SELECTION);
        try {
            System.setProperty(AmqpBroker.SELECTION, " QPID ");
            assertThat(AmqpBroker.selection()).isEqualTo("qpid");
            System.setProperty(AmqpBroker.SELECTION, "kafka");
            assertThatThrownBy(AmqpBroker::selection)
                    .hasMessage("flinkduckdb.test.amqp is 'kafka': use rabbitmq, qpid or auto");
        } finally {
            if (before == null) {
                System.clearProperty(AmqpBroker.SELECTION);
            } else {
                System.setProperty(AmqpBroker.SELECTION, before);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void transactionsCommitAndRollBack(AmqpBroker b) throws Exception {
        Channel ch = channel(b);
        String q = queue(ch);
        ch.txSelect();
        publish(ch, q, 3);
        ch.txRollback();
        publish(ch, q, 2);
        ch.txCommit();
        assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(2);
        // An ack in a transaction takes effect on commit.
        GetResponse r = ch.basicGet(q, false);
        ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
        ch.txCommit();
        assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(1);
        assertThat(drain(ch, q)).extracting(AmqpBrokerTest::body).containsExactly("1");
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void publisherConfirmsCoverEveryMessage(AmqpBroker b) throws Exception {
        Channel ch = channel(b);
        String q = queue(ch);
        ch.confirmSelect();
        publish(ch, q, 500);
        ch.waitForConfirmsOrDie(30_000);
        assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(500);
        assertThat(ch.queuePurge(q).getMessageCount()).isEqualTo(500);
        assertThat(ch.queueDeclarePassive(q).getMessageCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void idsAndHeadersRoundTrip(AmqpBroker b) throws Exception {
        Channel ch = channel(b);
        String q = queue(ch);
        AMQP.BasicProperties props =
                new AMQP.BasicProperties.Builder()
                        .deliveryMode(2)
                        .messageId("m-1")
                        .correlationId("c-1")
                        .contentType("application/json")
                        .headers(Map.of("x-text", "a b", "x-count", 3, "x-long", 5_000_000_000L))
                        .build();
        ch.basicPublish("", q, props, "{}".getBytes(StandardCharsets.UTF_8));
        GetResponse r = awaitGet(ch, q);
        assertThat(r.getProps().getMessageId()).isEqualTo("m-1");
        assertThat(r.getProps().getCorrelationId()).isEqualTo("c-1");
        assertThat(r.getProps().getContentType()).isEqualTo("application/json");
        assertThat(r.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(r.getProps().getHeaders().get("x-text").toString()).isEqualTo("a b");
        assertThat(r.getProps().getHeaders().get("x-count")).isEqualTo(3);
        assertThat(r.getProps().getHeaders().get("x-long")).isEqualTo(5_000_000_000L);
        assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(ch.basicGet(q, true)).isNull();
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void ackPerMessageAndNackOrRejectWithRequeue(AmqpBroker b) throws Exception {
        Channel ch = channel(b);
        String q = queue(ch);
        publish(ch, q, 3);
        GetResponse first = awaitGet(ch, q);
        GetResponse second = ch.basicGet(q, false);
        GetResponse third = ch.basicGet(q, false);
        ch.basicAck(first.getEnvelope().getDeliveryTag(), false);
        ch.basicNack(second.getEnvelope().getDeliveryTag(), false, true);
        ch.basicReject(third.getEnvelope().getDeliveryTag(), true);
        // (Without requeue RabbitMQ drops the message, Qpid requeues it: the project never asks.)
        List<GetResponse> left = drain(ch, q);
        assertThat(left).extracting(AmqpBrokerTest::body).containsExactlyInAnyOrder("1", "2");
        assertThat(left).allMatch(r -> r.getEnvelope().isRedeliver());
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void aMissingQueueFailsAPassiveDeclareAndClosesOnlyItsChannel(AmqpBroker b) throws Exception {
        Connection c = connect(b);
        connections.add(c);
        Channel probe = c.createChannel();
        assertThatThrownBy(() -> probe.queueDeclarePassive("no-such-queue-" + UUID.randomUUID()))
                .isInstanceOf(IOException.class)
                .hasStackTraceContaining("404");
        assertThat(probe.isOpen()).isFalse();
        assertThat(c.isOpen()).isTrue();
        Channel ch = c.createChannel();
        String q = queue(ch);
        assertThat(ch.queueDeclarePassive(q).getQueue()).isEqualTo(q);
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void twoConsumersShareAQueueWithinTheirPrefetch(AmqpBroker b) throws Exception {
        Channel setup = channel(b);
        String q = queue(setup);
        int n = 400;
        Map<String, Integer> perConsumer = new ConcurrentHashMap<>();
        AtomicInteger maxUnacked = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        for (String name : List.of("a", "b")) {
            Channel ch = channel(b);
            ch.basicQos(10);
            List<Long> unacked = new ArrayList<>();
            ch.basicConsume(
                    q,
                    false,
                    new DefaultConsumer(ch) {
                        @Override
                        public void handleDelivery(
                                String tag, Envelope env, AMQP.BasicProperties p, byte[] body)
                                throws IOException {
                            perConsumer.merge(name, 1, Integer::sum);
                            received.incrementAndGet();
                            unacked.add(env.getDeliveryTag());
                            maxUnacked.accumulateAndGet(unacked.size(), Math::max);
                            // Acknowledge in fives: the broker must hold back past 10 unacked.
                            if (unacked.size() == 5) {
                                getChannel().basicAck(env.getDeliveryTag(), true);
                                unacked.clear();
                            }
                        }
                    });
        }
        // Both consumers wait on the queue before the first message.
        publish(setup, q, n);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (received.get() < n && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(received.get()).isEqualTo(n);
        assertThat(perConsumer.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(n);
        assertThat(perConsumer).containsOnlyKeys("a", "b");
        assertThat(maxUnacked.get()).isLessThanOrEqualTo(10);
    }

    @Test
    void aQpidRestartKeepsDurableQueuesAndPersistentMessages() throws Exception {
        Connection c = connect(qpid);
        Channel ch = c.createChannel();
        String q = "restart-" + UUID.randomUUID();
        ch.queueDeclare(q, true, false, false, null);
        ch.confirmSelect();
        publish(ch, q, 50);
        ch.waitForConfirmsOrDie(30_000);
        GetResponse unacked = ch.basicGet(q, false);
        assertThat(unacked).isNotNull();

        qpid.restart(Duration.ofMillis(500));

        assertThat(c.isOpen()).as("the restart closed the connection").isFalse();
        try (Connection again = connect(qpid)) {
            Channel fresh = again.createChannel();
            assertThat(fresh.queueDeclarePassive(q).getMessageCount()).isEqualTo(50);
            assertThat(drain(fresh, q))
                    .extracting(AmqpBrokerTest::body)
                    .containsExactlyInAnyOrderElementsOf(
                            IntStream.range(0, 50).mapToObj(Integer::toString).toList());
            fresh.queueDelete(q);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Connection connect(AmqpBroker b) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(b.host());
        f.setPort(b.port());
        f.setUsername(b.username());
        f.setPassword(b.password());
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection("amqp-broker-test");
    }

    private Channel channel(AmqpBroker b) throws Exception {
        broker = b;
        Connection c = connect(b);
        connections.add(c);
        return c.createChannel();
    }

    private String queue(Channel ch) throws IOException {
        String q = "amqp-test-" + UUID.randomUUID();
        ch.queueDeclare(q, true, false, false, null);
        queues.add(q);
        return q;
    }

    private static void publish(Channel ch, String q, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            ch.basicPublish(
                    "",
                    q,
                    new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                    Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The first message, polling: a publish without confirm may still be on its way. */
    private static GetResponse awaitGet(Channel ch, String q) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        GetResponse r;
        while ((r = ch.basicGet(q, false)) == null && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertThat(r).as("a message in " + q).isNotNull();
        return r;
    }

    private static List<GetResponse> drain(Channel ch, String q) throws IOException {
        List<GetResponse> out = new ArrayList<>();
        GetResponse r;
        while ((r = ch.basicGet(q, true)) != null) {
            out.add(r);
        }
        return out;
    }

    private static String body(GetResponse r) {
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }
}
