package io.github.flinkduckdb.otter.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Restarts the machine's RabbitMQ as an operator would ({@code rabbitmqctl stop_app}, then {@code
 * start_app}): every client connection is closed; durable queues and persistent messages stay.
 */
public final class Broker {

    private Broker() {}

    /**
     * Stops the broker's application, keeps it down for {@code down}, starts it again (always, also
     * when stopping or waiting fails), and reconnects {@code rabbit}, whose connection died with
     * the broker. Returns when {@code start_app} returned: the broker accepts connections.
     */
    public static Instant restart(Rabbit rabbit, Duration down) throws Exception {
        Instant started;
        try {
            rabbitmqctl("stop_app");
            Thread.sleep(down.toMillis());
        } finally {
            rabbitmqctl("start_app");
            started = Instant.now();
        }
        Poll.until(
                "the test's connection to the restarted broker",
                Duration.ofSeconds(60),
                () -> {
                    rabbit.reconnect();
                    return true;
                });
        return started;
    }

    private static void rabbitmqctl(String command) throws Exception {
        Process p = new ProcessBuilder("rabbitmqctl", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("rabbitmqctl " + command + " did not end in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    "rabbitmqctl " + command + " exited with " + p.exitValue() + ": " + out);
        }
    }
}
