package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.PublishedParquet;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.runtime.minicluster.MiniCluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stop publishes: with Otter's default flush thresholds (no file is due for 300 s), every row a
 * run consumed is in Parquet when {@code requestStop()} (Ctrl-C) returns, nothing is left staged,
 * and the next run resumes from the stop's savepoint and takes new messages exactly once. RabbitMQ
 * on the embedded MiniCluster and on a cluster reached by its REST address; a watched folder.
 */
class StopPublishesITCase {

    @TempDir Path dir;
    private Rabbit rabbit;
    private Path project;
    private String queue;

    @BeforeEach
    void setUp() throws Exception {
        rabbit = new Rabbit();
        queue = rabbit.queue("otter-it-stop");
        rabbit.forget(queue + ".dlq");
        // Otter's default thresholds: nothing is due before the stop.
        project = TestProjects.rabbitMQOrders(dir, queue, null, 500, 50, 300);
    }

    @AfterEach
    void tearDown() throws Exception {
        rabbit.close();
    }

    @ParameterizedTest(name = "remote cluster: {0}")
    @ValueSource(booleans = {false, true})
    void aStopPublishesEveryStagedRowAndTheNextRunTakesNewMessagesOnce(boolean remote)
            throws Exception {
        Path out = dir.resolve("out");
        OtterProject p =
                OtterProject.load(
                        project,
                        null,
                        null,
                        Interpolator.withOverrides(Map.of("OTTER_OUTPUT", out.toString())));
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        PublishedParquet parquet = new PublishedParquet(out);
        MiniCluster cluster = remote ? OtterRun.startMiniCluster(2, true) : null;
        try {
            String jobManager = null;
            if (cluster != null) {
                URI rest = cluster.getRestAddress().get();
                jobManager = rest.getHost() + ":" + rest.getPort();
            }
            int first = 120;
            publish(0, first);
            OtterRun.Summary s1 = runUntil(p, jobManager, first, first, db, parquet);
            OtterRuns.assertStopped(s1);
            assertThat(s1.resumedFrom()).isNull();
            assertPublished(first, db, parquet);

            int second = 80;
            publish(first, first + second);
            OtterRun.Summary s2 = runUntil(p, jobManager, second, first + second, db, parquet);
            OtterRuns.assertStopped(s2);
            String savepoint = Path.of(URI.create(s1.savepoint())).getFileName().toString();
            assertThat(s2.resumedFrom()).as("the stop's savepoint").contains(savepoint);
            assertPublished(first + second, db, parquet);
            assertThat(rabbit.count(queue)).isZero();
            assertThat(rabbit.count(queue + ".dlq")).isZero();
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aStopPublishesTheRowsOfAWatchedFolder() throws Exception {
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n  type: file\n  path: "
                        + in
                        + "\n  watch: true\n  monitor_interval: 200ms\n  dlq_path: "
                        + dir.resolve("dlq")
                        + "\n  batch_size: 50\n  batch_timeout_ms: 50\n");
        Path out = dir.resolve("out");
        OtterProject p =
                OtterProject.load(
                        project,
                        null,
                        null,
                        Interpolator.withOverrides(Map.of("OTTER_OUTPUT", out.toString())));
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        PublishedParquet parquet = new PublishedParquet(out);

        dropFile(in, "a.jsonl", 0, 70);
        OtterRun.Summary s1 = runUntil(p, null, 70, 70, db, parquet);
        OtterRuns.assertStopped(s1);
        assertPublished(70, db, parquet);

        dropFile(in, "b.jsonl", 70, 100);
        OtterRuns.assertStopped(runUntil(p, null, 30, 100, db, parquet));
        assertPublished(100, db, parquet);
    }

    /** Writes orders {@code from..to-1} next to the folder, then moves the file in at once. */
    private void dropFile(Path folder, String name, int from, int to) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = from; i < to; i++) {
            lines.append(OrderMessages.order(i, "EUR")).append('\n');
        }
        Path tmp = dir.resolve(name + ".tmp");
        TestProjects.write(tmp, lines.toString());
        Files.move(tmp, folder.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void publish(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            rabbit.publish(queue, OrderMessages.order(i, i % 2 == 0 ? "EUR" : "USD"), "s-" + i);
        }
    }

    /**
     * Runs until DuckDB holds {@code total} orders (a checkpoint completed with every message),
     * checks that Parquet has published none of this run's rows yet (the thresholds are far), and
     * stops.
     */
    private OtterRun.Summary runUntil(
            OtterProject p,
            String jobManager,
            int messages,
            int total,
            DuckDBTestDatabase db,
            PublishedParquet parquet)
            throws Exception {
        long publishedBefore = parquet.rows("orders");
        OtterTransform transform = ProjectTransforms.build(p);
        ProjectChecks.check(p, transform);
        OtterRun run =
                new OtterRun(
                        p,
                        transform,
                        new RunOptions(
                                Duration.ofMillis(300),
                                2,
                                jobManager,
                                dir.resolve("state"),
                                false,
                                null,
                                RunOptions.ANY_PORT,
                                Duration.ZERO,
                                jobManager == null ? null : emptyJar(),
                                3),
                        System.out);
        CompletableFuture<OtterRun.Summary> done =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return run.run();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        // DuckDB is read once the job is idle: a reader polling the file in this JVM while a
        // committer attaches it makes the commit retry.
        FlinkRest rest = new FlinkRest(run.restAddress());
        Poll.until(
                messages + " messages in",
                Duration.ofSeconds(90),
                () -> {
                    if (done.isDone()) {
                        throw new AssertionError(
                                "The run ended before its messages were in",
                                done.handle((r, e) -> e != null ? e : new Exception("" + r))
                                        .join());
                    }
                    return messagesIn(rest, run.jobId()) >= messages;
                });
        long completed = completedCheckpoints(rest, run.jobId());
        Poll.until(
                "two more checkpoints",
                Duration.ofSeconds(60),
                () -> completedCheckpoints(rest, run.jobId()) >= completed + 2);
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(total);
        assertThat(OtterRuns.health(run, "/healthz")).isEqualTo("200 {\"status\":\"alive\"}");
        assertThat(OtterRuns.health(run, "/readyz")).startsWith("200 {\"ready\":true,");
        assertThat(parquet.rows("orders"))
                .as("nothing due before the stop: the rows wait in staging")
                .isEqualTo(publishedBefore);
        assertThat(parquet.staged()).isNotEmpty();
        run.requestStop();
        return done.get(2, TimeUnit.MINUTES);
    }

    private static long messagesIn(FlinkRest rest, String jobId) throws Exception {
        for (JsonNode a :
                rest.get("/jobs/" + jobId + "/accumulators").path("user-task-accumulators")) {
            if (a.path("name").asText().equals(OtterPipeline.MESSAGES_IN)) {
                return a.path("value").asLong();
            }
        }
        return 0;
    }

    private static long completedCheckpoints(FlinkRest rest, String jobId) throws Exception {
        return rest.checkpoints(jobId).path("counts").path("completed").asLong();
    }

    private static void assertPublished(int n, DuckDBTestDatabase db, PublishedParquet parquet)
            throws Exception {
        assertThat(parquet.rows("orders")).isEqualTo(n);
        assertThat(parquet.distinct("orders", "order_id")).isEqualTo(n);
        assertThat(parquet.rows("purchases")).isEqualTo(n);
        assertThat(parquet.staged()).as("nothing left in staging").isEmpty();
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(n);
        assertThat(db.count("SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(n);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(n);
    }

    /**
     * The jar shipped to the cluster only has to exist: the job's classes are on the class path.
     */
    private Path emptyJar() throws Exception {
        Path jar = dir.resolve("job.jar");
        if (!Files.exists(jar)) {
            try (OutputStream os = Files.newOutputStream(jar);
                    JarOutputStream j = new JarOutputStream(os, new Manifest())) {
                j.flush();
            }
        }
        return jar;
    }
}
