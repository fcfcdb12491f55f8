package io.github.flinkduckdb.otter.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /readyz} and {@code /healthz} answer valid JSON whatever the readiness reason holds. */
class HealthServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer flink;
    private volatile String jobJson;

    @BeforeEach
    void startFakeFlinkRest() throws IOException {
        flink = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        flink.createContext("/jobs/j1/checkpoints", ex -> send(ex, "{}"));
        flink.createContext("/jobs/j1/exceptions", ex -> send(ex, "{}"));
        flink.createContext("/jobs/j1", ex -> send(ex, jobJson));
        flink.start();
    }

    @AfterEach
    void stop() {
        flink.stop(0);
    }

    @Test
    void aReasonWithANewlineAndAQuoteComesBackVerbatimInValidJson() throws Exception {
        // The task name (user text) ends up in the reason.
        jobJson =
                JSON.writeValueAsString(
                        JSON.createObjectNode()
                                .put("state", "RUNNING")
                                .put("start-time", System.currentTimeMillis())
                                .set(
                                        "vertices",
                                        JSON.createArrayNode()
                                                .add(
                                                        JSON.createObjectNode()
                                                                .put("name", "Sink: \"a\"\nb\\c")
                                                                .put("status", "FAILED"))));
        URI rest = URI.create("http://127.0.0.1:" + flink.getAddress().getPort() + "/");
        try (HealthServer health =
                new HealthServer(0, new FlinkRest(rest), "j1", Duration.ofSeconds(10))) {
            HttpResponse<String> ready = get(health.port(), "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode body = JSON.readTree(ready.body());
            assertThat(body.path("ready").asBoolean(true)).isFalse();
            assertThat(body.path("reason").asText())
                    .isEqualTo("task 'Sink: \"a\"\nb\\c' is FAILED");

            HttpResponse<String> alive = get(health.port(), "/healthz");
            assertThat(alive.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(alive.body()).path("status").asText()).isEqualTo("alive");
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static void send(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }
}
