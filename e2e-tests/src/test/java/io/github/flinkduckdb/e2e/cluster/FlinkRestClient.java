package io.github.flinkduckdb.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Flink's REST API as a user drives it: upload a jar, run it, watch the job. */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRestClient(String base) {
        this.base = base;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("GET " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private JsonNode post(String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofMinutes(2))
                                .header("Content-Type", contentType)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("POST " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** The Flink version the JobManager reports ({@code /config}). */
    public String flinkVersion() throws IOException, InterruptedException {
        return get("/config").path("flink-version").asText();
    }

    public int totalSlots() throws IOException, InterruptedException {
        return get("/overview").path("slots-total").asInt();
    }

    public int taskManagerCount() throws IOException, InterruptedException {
        return get("/overview").path("taskmanagers").asInt();
    }

    /** Uploads a jar (as {@code flink run} or the web UI would) and returns its id. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----e2e" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\n"
                                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode r =
                post(
                        "/jars/upload",
                        "multipart/form-data; boundary=" + boundary,
                        body.toByteArray());
        String filename = r.path("filename").asText();
        return filename.substring(filename.lastIndexOf('/') + 1);
    }

    /** Runs an uploaded jar's entry class; returns the job id. */
    public String runJar(String jarId, String entryClass, List<String> args)
            throws IOException, InterruptedException {
        return runJar(jarId, entryClass, args, 0);
    }

    /** Runs an uploaded jar's entry class with a default parallelism (0: the cluster's). */
    public String runJar(String jarId, String entryClass, List<String> args, int parallelism)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        if (parallelism > 0) {
            request.put("parallelism", parallelism);
        }
        request.put("entryClass", entryClass);
        request.putArray("programArgsList")
                .addAll(
                        args.stream()
                                .map(JSON::valueToTree)
                                .map(JsonNode.class::cast)
                                .collect(java.util.stream.Collectors.toList()));
        JsonNode r =
                post(
                        "/jars/" + jarId + "/run",
                        "application/json",
                        JSON.writeValueAsBytes(request));
        return r.path("jobid").asText();
    }

    public String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** How many times the job restarted so far. */
    public long restarts(String jobId) throws IOException, InterruptedException {
        JsonNode exceptions = get("/jobs/" + jobId + "/exceptions");
        return exceptions.path("exceptionHistory").path("entries").size();
    }

    /** The job's exception history, root causes and stack traces, as text. */
    public String exceptionHistory(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/exceptions").toPrettyString();
    }

    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** Stops the job with a savepoint (without draining); returns the savepoint path. */
    public String stopWithSavepoint(String jobId, java.nio.file.Path directory, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.put("drain", false);
        request.put("targetDirectory", directory.toUri().toString());
        String trigger =
                post(
                                "/jobs/" + jobId + "/stop",
                                "application/json",
                                JSON.writeValueAsBytes(request))
                        .path("request-id")
                        .asText();
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IOException(
                            "Stop with savepoint failed: " + op.path("failure-cause"));
                }
                return op.path("location").asText();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Stop with savepoint did not finish in " + timeout);
            }
            Thread.sleep(250);
        }
    }

    public void cancel(String jobId) throws IOException, InterruptedException {
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the job is in a terminal state; fails when the deadline passes. */
    public String awaitTermination(String jobId, Duration timeout)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            String state = jobState(jobId);
            if (state.equals("FINISHED") || state.equals("FAILED") || state.equals("CANCELED")) {
                return state;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "Job " + jobId + " still " + state + " after " + timeout);
            }
            Thread.sleep(250);
        }
    }
}
