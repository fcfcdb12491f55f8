package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.dlq.DeadLetterHeaders;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import com.rabbitmq.client.GetResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RabbitMQ -> models -> Parquet + DuckDB on the embedded MiniCluster, with a real broker: exact
 * rows, exact dead letters in the DLQ queue (body unchanged, error/model/stage headers), the source
 * queue drained and acknowledged; {@code /readyz}; {@code dlq inspect} in order and
 * non-destructive; {@code dlq replay} after fixing the failing model; {@code --dry-run}.
 */
class RabbitMQPipelineITCase {

    static final String SHIPPING_FAILING =
            "SELECT incoming.order_id,\n"
                    + "  CASE WHEN incoming.currency = 'XXX'\n"
                    + "       THEN error('unsupported currency ' || incoming.currency)\n"
                    + "       ELSE incoming.currency END AS currency\n"
                    + "FROM incoming\n";
    static final String SHIPPING_FIXED =
            "SELECT incoming.order_id, incoming.currency FROM incoming\n";

    @TempDir Path dir;
    private Rabbit rabbit;
    private Path project;
    private String queue;
    private String dlq;

    @BeforeEach
    void setUp() throws Exception {
        rabbit = new Rabbit();
        queue = rabbit.queue("otter-it-orders");
        dlq = queue + ".dlq";
        rabbit.forget(dlq);
        project = TestProjects.copyOrders(dir);
        TestProjects.write(project.resolve("models/shipping.sql"), SHIPPING_FAILING);
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n"
                        + "  type: rabbitmq\n"
                        + Rabbit.sourceYaml()
                        // Read where connections open: the job carries no password.
                        + "  password_env: OTTER_TEST_RABBITMQ_PASSWORD\n"
                        + "  queue: "
                        + queue
                        + "\n"
                        + "  dlq: "
                        + dlq
                        + "\n"
                        + "  prefetch: 500\n"
                        + "  batch_size: 50\n"
                        + "  batch_timeout_ms: 50\n"
                        + "  correlation_id: true\n");
        // Publish every checkpoint, so the rows are visible while the job runs.
        Path models = project.resolve("config/models.yml");
        TestProjects.write(
                models,
                java.nio.file.Files.readString(models)
                        .replaceAll("max_age_seconds: \\d+", "max_age_seconds: 0"));
    }

    @AfterEach
    void tearDown() throws Exception {
        rabbit.close();
    }

    static String order(int i, String currency) {
        return "{\"order_id\": "
                + i
                + ", \"user\": {\"id\": "
                + (i % 7)
                + ", \"name\": \"u"
                + (i % 7)
                + "\"}, \"items\": [{\"sku\": \"S"
                + (i % 3)
                + "\", \"name\": \"thing\", \"quantity\": "
                + (1 + i % 4)
                + ", \"price\": 2.50}], \"currency\": \""
                + currency
                + "\", \"placed_at\": \"2024-05-01 10:00:00\"}";
    }

    static boolean malformed(int i) {
        return i % 20 == 7;
    }

    static boolean failsShipping(int i) {
        return i % 25 == 3;
    }

    static String message(int i) {
        if (malformed(i)) {
            return "{\"order_id\": " + i + ", \"items\": [";
        }
        return order(i, failsShipping(i) ? "XXX" : (i % 2 == 0 ? "EUR" : "USD"));
    }

    private OtterRun start(OtterProject p, boolean fresh) {
        OtterTransform transform = ProjectTransforms.build(p);
        ProjectChecks.check(p, transform);
        return new OtterRun(
                p,
                transform,
                new RunOptions(
                        Duration.ofMillis(300),
                        2,
                        null,
                        dir.resolve("state"),
                        fresh,
                        null,
                        0,
                        Duration.ZERO,
                        null,
                        3),
                System.out);
    }

    private OtterProject load(Path out) {
        return OtterProject.load(
                project,
                null,
                null,
                Interpolator.withOverrides(Map.of("OTTER_OUTPUT", out.toString())));
    }

    @Test
    void consumesAcknowledgesAndDeadLettersExactlyThenReplaysAfterTheFix() throws Exception {
        int n = 200;
        List<Integer> good = new ArrayList<>();
        List<Integer> parseFailures = new ArrayList<>();
        List<Integer> shippingFailures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rabbit.publish(queue, message(i), "msg-" + i);
            if (malformed(i)) {
                parseFailures.add(i);
            } else {
                good.add(i);
                if (failsShipping(i)) {
                    shippingFailures.add(i);
                }
            }
        }
        assertThat(parseFailures).hasSize(10);
        assertThat(shippingFailures).hasSize(8);
        Path out = dir.resolve("out");
        OtterProject p = load(out);
        OtterRun run = startWithHealth(p);
        CompletableFuture<OtterRun.Summary> done = CompletableFuture.supplyAsync(() -> call(run));
        assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        int expectedDlq = parseFailures.size() + shippingFailures.size();
        Poll.until(
                "all rows and dead letters",
                Duration.ofSeconds(90),
                // The broker first: each DuckDB query opens the file the running job's
                // committers write, and a committer that cannot attach it retries and then fails.
                () ->
                        rabbit.count(dlq) == expectedDlq
                                && rabbit.count(queue) == 0
                                && db.count("SELECT count(*) FROM shipping")
                                        == good.size() - shippingFailures.size()
                                && db.count("SELECT count(*) FROM orders") == good.size());

        // Ready while it runs.
        HttpResponse<String> ready =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + run.healthPort()
                                                                + "/readyz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).startsWith("{\"ready\":true,");

        run.requestStop();
        OtterRun.Summary summary = done.get(2, TimeUnit.MINUTES);
        assertThat(summary.finalState()).isEqualTo("STOPPED");
        assertThat(summary.savepoint()).isNotNull();

        // Exact rows: DuckDB and Parquet.
        assertThat(
                        db.strings(
                                "SELECT string_agg(order_id::VARCHAR, ',' ORDER BY order_id) FROM orders"))
                .containsExactly(join(good));
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(good.size());
        assertThat(db.count("SELECT count(DISTINCT order_id) FROM shipping"))
                .isEqualTo(good.size() - shippingFailures.size());
        String parquet = out.resolve("parquet") + "/";
        assertThat(
                        db.count(
                                "SELECT count(*) FROM read_parquet('"
                                        + parquet
                                        + "orders/**/*.parquet')"))
                .isEqualTo(good.size());
        assertThat(
                        db.count(
                                "SELECT count(*) FROM read_parquet('"
                                        + parquet
                                        + "shipping/**/*.parquet')"))
                .isEqualTo(good.size() - shippingFailures.size());
        // The source queue: drained and acknowledged (nothing came back after the stop).
        assertThat(rabbit.count(queue)).isZero();

        // The DLQ: inspect shows the first ones, in order, and leaves them there.
        Cli inspect =
                Cli.run(
                        "--project",
                        project.toString(),
                        "--var",
                        "OTTER_OUTPUT=" + out,
                        "dlq",
                        "inspect",
                        "--limit",
                        "3",
                        "--json");
        assertThat(inspect.exitCode).as(inspect.toString()).isZero();
        assertThat(inspect.out.lines().count()).isEqualTo(3);
        assertThat(
                        Cli.run(
                                        "--project",
                                        project.toString(),
                                        "--var",
                                        "OTTER_OUTPUT=" + out,
                                        "dlq",
                                        "inspect",
                                        "--limit",
                                        "3",
                                        "--json")
                                .out)
                .isEqualTo(inspect.out);
        assertThat(rabbit.count(dlq)).isEqualTo(expectedDlq);

        // Exact dead letters: body unchanged, stage/model/error headers.
        List<GetResponse> letters = rabbit.drain(dlq);
        assertThat(letters).hasSize(expectedDlq);
        List<Integer> parseSeen = new ArrayList<>();
        List<Integer> shippingSeen = new ArrayList<>();
        for (GetResponse r : letters) {
            String stage = Rabbit.header(r, DeadLetterHeaders.STAGE);
            String id = Rabbit.header(r, DeadLetterHeaders.MESSAGE_ID);
            int i = Integer.parseInt(id.substring("msg-".length()));
            assertThat(Rabbit.body(r)).isEqualTo(message(i));
            if (stage.equals("parse")) {
                parseSeen.add(i);
                assertThat(Rabbit.header(r, DeadLetterHeaders.MODEL)).isNull();
                assertThat(Rabbit.header(r, DeadLetterHeaders.ERROR)).startsWith("malformed JSON");
            } else {
                assertThat(stage).isEqualTo("transform");
                assertThat(Rabbit.header(r, DeadLetterHeaders.MODEL)).isEqualTo("shipping");
                assertThat(Rabbit.header(r, DeadLetterHeaders.ERROR))
                        .contains("unsupported currency XXX");
                shippingSeen.add(i);
            }
            assertThat(Rabbit.header(r, DeadLetterHeaders.SOURCE)).isEqualTo(queue);
        }
        assertThat(parseSeen).containsExactlyInAnyOrderElementsOf(parseFailures);
        assertThat(shippingSeen).containsExactlyInAnyOrderElementsOf(shippingFailures);
    }

    private OtterRun startWithHealth(OtterProject p) {
        OtterTransform transform = ProjectTransforms.build(p);
        ProjectChecks.check(p, transform);
        return new OtterRun(
                p,
                transform,
                new RunOptions(
                        Duration.ofMillis(300),
                        2,
                        null,
                        dir.resolve("state"),
                        true,
                        null,
                        freePort(),
                        Duration.ZERO,
                        null,
                        3),
                System.out);
    }

    @Test
    void replayedDeadLettersProduceTheirRowsOnceTheModelIsFixed() throws Exception {
        int n = 60;
        List<Integer> failing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean bad = i % 10 == 3;
            rabbit.publish(queue, order(i, bad ? "XXX" : "EUR"), "r-" + i);
            if (bad) {
                failing.add(i);
            }
        }
        Path out = dir.resolve("out");
        OtterRun first = start(load(out), true);
        CompletableFuture<OtterRun.Summary> done = CompletableFuture.supplyAsync(() -> call(first));
        assertThat(first.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        Poll.until(
                "first run",
                Duration.ofSeconds(90),
                () ->
                        rabbit.count(dlq) == failing.size()
                                && db.count("SELECT count(*) FROM shipping") == n - failing.size()
                                && db.count("SELECT count(*) FROM orders") == n);
        first.requestStop();
        done.get(2, TimeUnit.MINUTES);

        // Fix the model, replay the dead letters to the source queue, run again.
        TestProjects.write(project.resolve("models/shipping.sql"), SHIPPING_FIXED);
        Cli replay =
                Cli.run(
                        "--project",
                        project.toString(),
                        "--var",
                        "OTTER_OUTPUT=" + out,
                        "dlq",
                        "replay");
        assertThat(replay.exitCode).as(replay.toString()).isZero();
        assertThat(replay.out)
                .isEqualTo(
                        "replayed "
                                + failing.size()
                                + " dead letter(s) from rabbitmq queue '"
                                + dlq
                                + "' to "
                                + queue
                                + "\n");
        assertThat(rabbit.count(dlq)).isZero();
        assertThat(rabbit.count(queue)).isEqualTo(failing.size());

        OtterRun second = start(load(out), false);
        CompletableFuture<OtterRun.Summary> done2 =
                CompletableFuture.supplyAsync(() -> call(second));
        assertThat(second.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        Poll.until(
                "replayed rows",
                Duration.ofSeconds(90),
                // The broker first (see above); orders too, so the run stops after every commit.
                () ->
                        rabbit.count(queue) == 0
                                && db.count("SELECT count(*) FROM shipping") == n
                                && db.count("SELECT count(*) FROM orders") == n + failing.size());
        second.requestStop();
        OtterRun.Summary s2 = done2.get(2, TimeUnit.MINUTES);
        assertThat(s2.resumedFrom()).as("resumed from the first run's savepoint").isNotNull();

        assertThat(
                        db.strings(
                                "SELECT string_agg(order_id::VARCHAR, ',' ORDER BY order_id) FROM shipping"))
                .containsExactly(join(range(n)));
        assertThat(rabbit.count(dlq)).isZero();
        // Replaying runs every model again for those messages: orders has them twice (see
        // docs/otter-runner.md, "Replaying dead letters").
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(n + failing.size());
    }

    @Test
    void dryRunPrintsOneBatchAndAcknowledgesNothing() throws Exception {
        for (int i = 0; i < 5; i++) {
            rabbit.publish(queue, message(i), "d-" + i);
        }
        Path out = dir.resolve("out");
        Cli dry =
                Cli.run(
                        "--project",
                        project.toString(),
                        "--var",
                        "OTTER_OUTPUT=" + out,
                        "run",
                        "--dry-run");
        assertThat(dry.exitCode).as(dry.toString()).isZero();
        assertThat(dry.out)
                .startsWith("dry run: 5 message(s) from rabbitmq queue '" + queue + "'")
                .contains("orders: 5 rows")
                .contains("shipping: 4 rows")
                .contains("dead letters: 1\n  message 4, stage transform, model shipping:");
        assertThat(rabbit.count(queue)).as("messages stay in the queue").isEqualTo(5);
        List<GetResponse> again = rabbit.drain(queue);
        assertThat(again.stream().map(Rabbit::body).toList())
                .as("in their order")
                .containsExactly(message(0), message(1), message(2), message(3), message(4));
        assertThat(java.nio.file.Files.exists(out)).isFalse();
    }

    @Test
    void dlqCommandsReportAMissingQueue() throws Exception {
        rabbit.close();
        rabbit = new Rabbit();
        Cli c =
                Cli.run(
                        "--project",
                        project.toString(),
                        "--var",
                        "OTTER_OUTPUT=" + dir,
                        "dlq",
                        "inspect");
        assertThat(c.exitCode).isEqualTo(6);
        assertThat(c.err).isEqualTo("otter: RabbitMQ queue '" + dlq + "' does not exist\n");
    }

    private static OtterRun.Summary call(OtterRun run) {
        try {
            return run.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    private static String join(List<Integer> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }

    static int freePort() {
        try (java.net.ServerSocket s =
                new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
