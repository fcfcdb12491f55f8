package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.testing.brokers.AmqpBroker;
import io.github.flinkduckdb.testing.brokers.TestJvms;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The benchmark's queues on a real broker: none outlives its case, nor a case stopped early. */
class BenchmarkQueuesTest {

    private static final String PID = String.valueOf(ProcessHandle.current().pid());

    @Test
    void onlyQueuesOfJvmsThatNoLongerRunAreLeftovers() {
        assertThat(BenchmarkQueues.isLeftover("bench-" + PID + "-raw-1a2b3c4d")).isFalse();
        assertThat(BenchmarkQueues.isLeftover("bench-999999999-raw-1a2b3c4d")).isTrue();
        assertThat(BenchmarkQueues.isLeftover("bench-raw-1a2b3c4d")).isTrue();
        assertThat(BenchmarkQueues.isLeftover("bench-")).isTrue();
        assertThat(BenchmarkQueues.isLeftover("orders")).isFalse();
        assertThat(BenchmarkQueues.isLeftover("benchmarks-999999999-x")).isFalse();
    }

    @Test
    void openingDeletesTheQueuesAKilledRunLeftAndKeepsTheOthers() throws Exception {
        AmqpBroker amqp = AmqpBroker.get();
        assumeTrue(amqp.queueNames().isPresent(), "the broker's queues cannot be listed here");
        String u = UUID.randomUUID().toString().substring(0, 8);
        String killed = "bench-999999999-pipeline-" + u;
        String unnamed = "bench-raw-" + u;
        String live = "bench-" + PID + "-live-" + u;
        String other = "queues-test-" + u;
        try (Connection connection = RawConsumer.connect(amqp, "queues-test")) {
            Channel channel = connection.createChannel();
            for (String q : List.of(killed, unnamed, live, other)) {
                channel.queueDeclare(q, true, false, false, null);
            }
            RawConsumer.publish(channel, killed, List.of(new byte[] {1}, new byte[] {2}), 0);
            try (BenchmarkQueues queues = BenchmarkQueues.open(amqp, channel)) {
                assertThat(exists(connection, killed)).isFalse();
                assertThat(exists(connection, unnamed)).isFalse();
                assertThat(exists(connection, live)).isTrue();
                assertThat(exists(connection, other)).isTrue();
            } finally {
                channel.queueDelete(live);
                channel.queueDelete(other);
            }
        }
    }

    @Test
    void aCasesQueuesAreDeletedAtItsEnd() throws Exception {
        AmqpBroker amqp = AmqpBroker.get();
        String u = UUID.randomUUID().toString().substring(0, 8);
        try (Connection connection = RawConsumer.connect(amqp, "queues-test")) {
            Channel channel = connection.createChannel();
            List<String> declared = new ArrayList<>();
            try (BenchmarkQueues queues = BenchmarkQueues.open(amqp, channel)) {
                declared.add(queues.declare("raw-" + u));
                declared.add(queues.declare("pipeline-" + u + ".dlq"));
                String early = queues.declare("warm-" + u);
                RawConsumer.publish(channel, declared.get(0), List.of(new byte[] {1}), 0);
                assertThat(declared)
                        .containsExactly(
                                "bench-" + PID + "-raw-" + u,
                                "bench-" + PID + "-pipeline-" + u + ".dlq");
                queues.delete(early);
                assertThat(exists(connection, early)).isFalse();
                for (String q : declared) {
                    assertThat(exists(connection, q)).as(q).isTrue();
                }
            }
            for (String q : declared) {
                assertThat(exists(connection, q)).as(q).isFalse();
            }
        }
    }

    /**
     * A case's JVM stopped by a TERM signal (Ctrl-C alike) mid-case deletes its queues with their
     * messages. RabbitMQ only: the stopped JVM must reach the test's broker, and Qpid's lives in
     * the test's JVM (its queues end with it).
     */
    @Test
    void aCaseStoppedEarlyDeletesItsQueues() throws Exception {
        AmqpBroker amqp = AmqpBroker.get();
        assumeTrue(amqp.kind() == AmqpBroker.Kind.RABBITMQ, "needs the machine's RabbitMQ");
        String u = UUID.randomUUID().toString().substring(0, 8);
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(TestJvms.QUICK_START);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StoppedCase.class.getName());
        cmd.add(u);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String queue;
        try (Connection connection = RawConsumer.connect(amqp, "queues-test")) {
            try {
                BufferedReader out =
                        new BufferedReader(
                                new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                queue = awaitReady(out);
                assertThat(queue).isEqualTo("bench-" + p.pid() + "-stopped-" + u);
                assertThat(messages(connection, queue)).isEqualTo(3);
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            assertThat(exists(connection, queue)).isFalse();
        }
    }

    private static String awaitReady(BufferedReader out) throws IOException {
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                return line.substring("READY ".length());
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("The case ended before declaring its queue:\n" + seen);
    }

    private static boolean exists(Connection connection, String queue) throws IOException {
        return messagesOrMinusOne(connection, queue) >= 0;
    }

    private static long messages(Connection connection, String queue) throws IOException {
        long n = messagesOrMinusOne(connection, queue);
        assertThat(n).as("queue %s exists", queue).isNotNegative();
        return n;
    }

    /** A passive declare on a channel of its own (the broker closes it for a missing queue). */
    private static long messagesOrMinusOne(Connection connection, String queue) throws IOException {
        Channel probe = connection.createChannel();
        try {
            return probe.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException missing) {
            return -1;
        } finally {
            if (probe.isOpen()) {
                probe.abort();
            }
        }
    }

    /** A case that declares a queue with three messages, says so, and waits to be stopped. */
    public static final class StoppedCase {
        public static void main(String[] args) throws Exception {
            AmqpBroker amqp = AmqpBroker.get();
            try (Connection connection = RawConsumer.connect(amqp, "stopped-case")) {
                Channel channel = connection.createChannel();
                BenchmarkQueues queues = BenchmarkQueues.open(amqp, channel);
                String queue = queues.declare("stopped-" + args[0]);
                RawConsumer.publish(
                        channel, queue, List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}), 0);
                System.out.println("READY " + queue);
                Thread.sleep(TimeUnit.MINUTES.toMillis(2));
            }
        }
    }
}
