package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.testing.brokers.AmqpBroker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Restarts the test broker ({@link Rabbit#broker()}) as an operator would (RabbitMQ: {@code
 * rabbitmqctl stop_app}, then {@code start_app}; Qpid Broker-J: a new broker process on the same
 * port and store): every client connection is closed; durable queues and persistent messages stay.
 */
public final class Broker {

    /**
     * The JUnit tag of tests that restart the broker. A restart closes every connection to the
     * machine's RabbitMQ, so the build runs these tests alone, after the others, which run in
     * parallel JVMs (the {@code broker-restart} surefire execution).
     */
    public static final String RESTARTS = "broker-restart";

    private Broker() {}

    /**
     * Skips the calling test where the broker cannot be restarted (RabbitMQ without rabbitmqctl).
     */
    public static void assumeRestartable() throws Exception {
        assumeTrue(
                Rabbit.broker().canRestart(),
                "needs a restartable broker: Qpid, or RabbitMQ with rabbitmqctl on the PATH");
    }

    /**
     * Stops the broker, keeps it down for {@code down}, starts it again (always, also when stopping
     * or waiting fails), and reconnects {@code rabbit}, whose connection died with the broker.
     * Returns when the broker accepts connections again.
     */
    public static Instant restart(Rabbit rabbit, Duration down) throws Exception {
        Rabbit.broker().restart(down);
        Instant started = Instant.now();
        Poll.until(
                "the test's connection to the restarted broker",
                Duration.ofSeconds(60),
                () -> {
                    rabbit.reconnect();
                    return true;
                });
        return started;
    }

    /**
     * Skips the calling test unless the broker is the machine's RabbitMQ with rabbitmqctl on the
     * PATH: only there can a test close client connections as an operator (or a network fault)
     * would.
     */
    public static void assumeConnectionsClosable() throws Exception {
        assumeTrue(
                // On RabbitMQ, canRestart() means rabbitmqctl is on the PATH.
                Rabbit.broker().kind() == AmqpBroker.Kind.RABBITMQ && Rabbit.broker().canRestart(),
                "needs the machine's RabbitMQ with rabbitmqctl on the PATH");
    }

    /**
     * The connections (their process ids) that consume {@code queue}. {@code rabbitmqctl} takes
     * seconds on a busy machine: find them first, then {@link #closeConnections} drops them at
     * once.
     */
    public static List<String> consumerConnections(String queue) throws Exception {
        Set<String> channels = new LinkedHashSet<>();
        for (String[] c : rabbitmqctl("list_consumers", "queue_name", "channel_pid")) {
            if (c.length == 2 && c[0].equals(queue)) {
                channels.add(c[1]);
            }
        }
        Map<String, String> connectionOf = new HashMap<>();
        for (String[] c : rabbitmqctl("list_channels", "pid", "connection")) {
            if (c.length == 2) {
                connectionOf.put(c[0], c[1]);
            }
        }
        Set<String> connections = new LinkedHashSet<>();
        for (String channel : channels) {
            if (connectionOf.containsKey(channel)) {
                connections.add(connectionOf.get(channel));
            }
        }
        return new ArrayList<>(connections);
    }

    /**
     * Closes {@code connections} ({@code rabbitmqctl close_connection}, all at once, as {@code
     * close_all_connections} would, but only these: other tests share the machine's broker). Their
     * clients see the connection closed by the broker with {@code reason}.
     */
    public static void closeConnections(List<String> connections, String reason) throws Exception {
        List<CompletableFuture<List<String[]>>> closing = new ArrayList<>();
        for (String connection : connections) {
            closing.add(
                    CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return rabbitmqctl("close_connection", connection, reason);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }));
        }
        for (CompletableFuture<List<String[]>> c : closing) {
            c.get(2, TimeUnit.MINUTES);
        }
    }

    /** The tab-separated rows {@code rabbitmqctl -q --no-table-headers <args>} prints. */
    private static List<String[]> rabbitmqctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        cmd.add(args[0]);
        if (args[0].startsWith("list_")) {
            cmd.add("--no-table-headers");
        }
        cmd.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\\R")) {
            if (!line.isBlank()) {
                rows.add(line.strip().split("\t"));
            }
        }
        return rows;
    }
}
