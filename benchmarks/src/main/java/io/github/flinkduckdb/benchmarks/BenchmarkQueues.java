package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.testing.brokers.AmqpBroker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The queues of one RabbitMQ benchmark case, named {@value #PREFIX}{@code <pid>-<role>} after the
 * JVM that declared them: declared durable here and deleted at the case's end, also when its JVM is
 * stopped before (Ctrl-C, a TERM signal), by a shutdown hook on a connection of its own. A JVM
 * killed outright (SIGKILL) leaves its queues with up to a million persistent messages, which slow
 * the broker and make a restart of it take minutes (the tests that restart it time out): so {@link
 * #open} first deletes the {@value #PREFIX} queues of JVMs that no longer run on this machine.
 */
final class BenchmarkQueues implements AutoCloseable {

    /** The prefix of every queue a benchmark declares. */
    static final String PREFIX = "bench-";

    private final AmqpBroker amqp;
    private final Channel channel;
    private final String prefix = PREFIX + ProcessHandle.current().pid() + "-";
    private final List<String> names = new ArrayList<>();
    private final Thread hook;

    private BenchmarkQueues(AmqpBroker amqp, Channel channel) {
        this.amqp = amqp;
        this.channel = channel;
        this.hook = new Thread(this::deleteOnShutdown, "benchmark-queues-cleanup");
    }

    /**
     * Deletes the queues left on the broker by benchmark JVMs that no longer run (when it can list
     * them: {@link AmqpBroker#queueNames()}), then returns the queues of a new case, declared and
     * deleted on {@code channel}.
     */
    static BenchmarkQueues open(AmqpBroker amqp, Channel channel) throws Exception {
        Optional<List<String>> present = amqp.queueNames();
        List<String> leftovers = new ArrayList<>();
        for (String name : present.orElse(List.of())) {
            if (isLeftover(name)) {
                channel.queueDelete(name);
                leftovers.add(name);
            }
        }
        if (!leftovers.isEmpty()) {
            System.out.println(
                    "Deleted "
                            + leftovers.size()
                            + " queue(s) an earlier benchmark run left on "
                            + amqp
                            + ": "
                            + String.join(", ", leftovers));
        }
        BenchmarkQueues queues = new BenchmarkQueues(amqp, channel);
        Runtime.getRuntime().addShutdownHook(queues.hook);
        return queues;
    }

    /**
     * Whether {@code queue} is a benchmark's whose JVM no longer runs here: named {@value
     * #PREFIX}{@code <pid>-...} with no live process of that pid, or {@value #PREFIX} without a pid
     * (the names before they carried one).
     */
    static boolean isLeftover(String queue) {
        if (!queue.startsWith(PREFIX)) {
            return false;
        }
        String rest = queue.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        String pid = dash < 0 ? rest : rest.substring(0, dash);
        if (pid.isEmpty() || !pid.chars().allMatch(Character::isDigit) || pid.length() > 18) {
            return true;
        }
        return ProcessHandle.of(Long.parseLong(pid)).isEmpty();
    }

    /** Declares the durable queue of {@code role}; returns its name. */
    String declare(String role) throws Exception {
        String name = prefix + role;
        channel.queueDeclare(name, true, false, false, null);
        synchronized (names) {
            names.add(name);
        }
        return name;
    }

    /** Deletes the queue {@code name} now. */
    void delete(String name) throws Exception {
        channel.queueDelete(name);
        synchronized (names) {
            names.remove(name);
        }
    }

    /** Deletes the queues still declared. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        for (String name : remaining()) {
            try {
                delete(name);
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran: it finds nothing left to delete
        }
        if (first != null) {
            throw first;
        }
    }

    private List<String> remaining() {
        synchronized (names) {
            return new ArrayList<>(names);
        }
    }

    /** The JVM stops during the case: its channel may be busy, so a connection of its own. */
    private void deleteOnShutdown() {
        List<String> left = remaining();
        if (left.isEmpty()) {
            return;
        }
        try (Connection connection = RawConsumer.connect(amqp, "benchmark-cleanup")) {
            Channel cleanup = connection.createChannel();
            for (String name : left) {
                cleanup.queueDelete(name);
            }
            System.out.println("Deleted the stopped case's queues: " + String.join(", ", left));
        } catch (Exception e) {
            System.out.println(
                    "Could not delete the stopped case's queues "
                            + String.join(", ", left)
                            + ": "
                            + e);
        }
    }
}
