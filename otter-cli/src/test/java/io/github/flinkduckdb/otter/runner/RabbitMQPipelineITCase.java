package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import com.rabbitmq.client.GetResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.github.flinkduckdb.otter.testing.OrderMessages.failsShipping;
import static io.github.flinkduckdb.otter.testing.OrderMessages.malformed;
import static io.github.flinkduckdb.otter.testing.OrderMessages.message;
import static io.github.flinkduckdb.otter.testing.OrderMessages.order;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RabbitMQ -> models -> Parquet + DuckDB on the embedded MiniCluster, with a real broker: exact
 * rows, exact dead letters in the DLQ queue (body unchanged, error/model/stage headers), the source
 * queue drained and acknowledged; {@code /readyz}; {@code dlq inspect} in order and
 * non-destructive; {@code dlq replay} after fixing the failing model; {@code --dry-run}.
 */
class RabbitMQPipelineITCase {

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
        project = TestProjects.rabbitMQOrders(dir, queue, dlq, 500);
    }

    @AfterEach
    void tearDown() throws Exception {
        rabbit.close();
    }

    private OtterRun start(OtterProject p, boolean fresh) {
        return OtterRuns.embedded(p, dir.resolve("state"), fresh, 0, 3);
    }

    private OtterProject load(Path out) {
        return OtterRuns.load(project, out);
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
        OtterRun run = OtterRuns.embedded(p, dir.resolve("state"), true, RunOptions.ANY_PORT, 3);
        CompletableFuture<OtterRun.Summary> done = OtterRuns.async(run);
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

        // Ready while it runs (once every task is running: a reader may still be starting when
        // the other has read everything).
        Poll.until(
                "/readyz 200",
                Duration.ofSeconds(60),
                () -> OtterRuns.health(run, "/readyz").startsWith("200 {\"ready\":true,"));

        run.requestStop();
        OtterRun.Summary summary = done.get(2, TimeUnit.MINUTES);
        OtterRuns.assertStopped(summary);
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
            int i = OrderMessages.checkDeadLetter(r, queue, "msg-");
            (malformed(i) ? parseSeen : shippingSeen).add(i);
        }
        assertThat(parseSeen).containsExactlyInAnyOrderElementsOf(parseFailures);
        assertThat(shippingSeen).containsExactlyInAnyOrderElementsOf(shippingFailures);
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
        CompletableFuture<OtterRun.Summary> done = OtterRuns.async(first);
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
        TestProjects.write(project.resolve("models/shipping.sql"), OrderMessages.SHIPPING_FIXED);
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
        CompletableFuture<OtterRun.Summary> done2 = OtterRuns.async(second);
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
}
