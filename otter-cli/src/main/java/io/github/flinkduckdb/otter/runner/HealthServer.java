package io.github.flinkduckdb.otter.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * {@code /readyz} and {@code /healthz} for {@code otter run}, on 127.0.0.1 (put a proxy or a
 * Kubernetes probe in front). {@code /readyz} answers 200 or 503 with a one-line JSON reason
 * ({@link Readiness}); {@code /healthz} answers 200 while the process lives.
 */
final class HealthServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor;

    HealthServer(int port, FlinkRest rest, String jobId, Duration interval) throws IOException {
        server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        executor = Executors.newSingleThreadExecutor(r -> daemon(r, "otter-health"));
        server.setExecutor(executor);
        server.createContext(
                "/healthz", ex -> answer(ex, 200, JSON.createObjectNode().put("status", "alive")));
        server.createContext(
                "/readyz",
                ex -> {
                    Readiness.Verdict v;
                    try {
                        JsonNode job = rest.job(jobId);
                        JsonNode checkpoints = rest.checkpoints(jobId);
                        JsonNode exceptions = rest.exceptions(jobId);
                        v =
                                Readiness.evaluate(
                                        job,
                                        checkpoints,
                                        exceptions,
                                        interval,
                                        System.currentTimeMillis());
                    } catch (IOException e) {
                        v =
                                new Readiness.Verdict(
                                        false, "Flink REST unreachable: " + e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        v = new Readiness.Verdict(false, "interrupted");
                    }
                    answer(
                            ex,
                            v.ready() ? 200 : 503,
                            JSON.createObjectNode()
                                    .put("ready", v.ready())
                                    .put("reason", v.reason()));
                });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void answer(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
