package io.github.flinkduckdb.testing.brokers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The machine's RabbitMQ on 127.0.0.1:5672 (guest/guest). {@link #ensureRunning()} starts it with
 * {@code rabbitmq-server -detached} when nothing listens, and waits until it accepts connections.
 */
public final class RabbitMQ {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5672;
    public static final String USER = "guest";
    public static final String PASSWORD = "guest";

    private RabbitMQ() {}

    public static void ensureRunning() throws IOException, InterruptedException {
        if (accepts()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("rabbitmq-server", "-detached").inheritIO();
        pb.environment().put("RABBITMQ_NODE_IP_ADDRESS", HOST);
        pb.environment().put("ERL_EPMD_ADDRESS", HOST);
        Process p = pb.start();
        p.waitFor(60, TimeUnit.SECONDS);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!accepts()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "RabbitMQ does not listen on " + HOST + ":" + PORT + " after starting it");
            }
            Thread.sleep(250);
        }
    }

    private static boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
