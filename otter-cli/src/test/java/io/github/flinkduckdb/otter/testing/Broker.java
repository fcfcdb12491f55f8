package io.github.flinkduckdb.otter.testing;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Restarts the test broker ({@link Rabbit#broker()}) as an operator would (RabbitMQ: {@code
 * rabbitmqctl stop_app}, then {@code start_app}; Qpid Broker-J: a new broker process on the same
 * port and store): every client connection is closed; durable queues and persistent messages stay.
 */
public final class Broker {

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
}
