package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.testing.Broker;
import io.github.flinkduckdb.otter.testing.OrderIds;
import io.github.flinkduckdb.otter.testing.OrderStream;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A RabbitMQ project at parallelism 2 with correlation ids (exactly-once), models, DuckDB and
 * Parquet outputs and a DLQ queue, fed good, malformed and model-failing messages, while the broker
 * restarts ({@code rabbitmqctl stop_app}, {@code start_app}) in the middle of the stream: each good
 * order exactly once in DuckDB and in Parquet, each dead letter in the DLQ queue (a repeat only as
 * the publisher's documented limit allows), the source queue acknowledged, and the run recovers and
 * ends with a savepoint.
 */
@Tag(Broker.RESTARTS)
class RabbitMQBrokerRestartITCase {

    private static final String ID = "restart-";
    private static final int PREFETCH = 50;

    @TempDir Path dir;
    private Rabbit rabbit;
    private String queue;
    private String dlq;
    private Path project;

    @BeforeEach
    void setUp() throws Exception {
        rabbit = new Rabbit();
        queue = rabbit.queue("otter-restart-orders");
        dlq = queue + ".dlq";
        rabbit.forget(dlq);
        // A small prefetch paces the readers (at most 50 unacknowledged each until a checkpoint
        // completes), so the restart falls in the middle of the stream.
        project = TestProjects.rabbitMQOrders(dir, queue, dlq, PREFETCH);
    }

    @AfterEach
    void tearDown() throws Exception {
        rabbit.close();
    }

    @Test
    void survivesABrokerRestartMidStreamWithExactRowsAndDeadLetters() throws Exception {
        Broker.assumeRestartable();
        int beforeRestart = 1_000;
        int n = 1_500;
        OrderStream stream = new OrderStream(ID, n);
        List<Integer> good = stream.good();
        List<Integer> shipped = stream.shipped();
        List<Integer> deadLetters = stream.deadLetters();
        assertThat(good).hasSize(1_425);
        assertThat(shipped).hasSize(1_365);
        assertThat(deadLetters).hasSize(135);
        stream.publish(rabbit, queue, 0, beforeRestart);

        Path out = dir.resolve("out");
        OtterRun run =
                OtterRuns.embedded(OtterRuns.load(project, out), dir.resolve("state"), true, 0, 10);
        CompletableFuture<OtterRun.Summary> done = OtterRuns.async(run);
        assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        // While the job runs, progress is read from the Parquet output: a second DuckDB instance
        // on warehouse.duckdb in this JVM would conflict with the sink's committer ("Unique file
        // handle conflict") and fail the job for a reason of the test's own.
        Parquet parquet = new Parquet(out.resolve("parquet"), dir.resolve("reader.duckdb"));
        Poll.until(
                "150 orders before the restart",
                Duration.ofSeconds(60),
                () -> parquet.rows("orders") >= 150);
        long waiting = rabbit.count(queue);
        assertThat(waiting)
                .as("messages not yet delivered: the restart is mid-stream")
                .isPositive();

        Instant up = Broker.restart(rabbit, Duration.ofSeconds(4));
        // The rest while the job recovers.
        stream.publish(rabbit, queue, beforeRestart, n);
        long committedAtStart = parquet.rows("orders");
        Poll.until(
                "a row committed after the restart",
                Duration.ofSeconds(60),
                () -> parquet.rows("orders") > committedAtStart);
        Duration recovered = Duration.between(up, Instant.now());
        Poll.until(
                "all rows and dead letters",
                Duration.ofSeconds(60),
                () ->
                        parquet.rows("orders") == good.size()
                                && parquet.rows("shipping") == shipped.size()
                                && rabbit.count(dlq) >= deadLetters.size()
                                && rabbit.count(queue) == 0);

        List<String> causes = restarts(run, up);
        System.out.printf(
                "broker restart: %s; %d order(s) published before the restart, %d message(s) not"
                        + " yet delivered; first order published %s after start_app%n%s%n",
                causes.isEmpty()
                        ? "the job did not restart: the readers reconnected in place"
                        : "the job restarted " + causes.size() + " time(s)",
                committedAtStart,
                waiting,
                recovered,
                String.join("\n", causes));
        assertThat(done).as("the run went on after the broker restart").isNotDone();

        run.requestStop();
        OtterRun.Summary summary = done.get(2, TimeUnit.MINUTES);
        OtterRuns.assertStopped(summary);
        assertThat(summary.savepoint()).isNotNull();

        // Each good order exactly once, in DuckDB and in the published Parquet files.
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        OrderIds.assertExactly(db, "orders", good);
        OrderIds.assertExactly(db, parquet.files("orders"), good);
        OrderIds.assertExactly(db, "shipping", shipped);
        OrderIds.assertExactly(db, parquet.files("shipping"), shipped);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(good.size());
        // Everything acknowledged: nothing came back to the queue when the consumers closed.
        assertThat(rabbit.count(queue)).isZero();

        List<Integer> letters = stream.assertDeadLetters(rabbit.drain(dlq), queue, causes.size());
        int repeated = letters.size() - deadLetters.size();

        OrderIds.Tally delivered = OrderIds.tallyOrders(db, parquet.files("orders"), good);
        delivered.record(
                "RabbitMQ broker restarted mid-stream (stop_app, 4 s, start_app)",
                "RabbitMQ source p2, DLQ publisher; DuckDB and Parquet outputs",
                "exactly-once",
                n,
                recovered,
                causes.size()
                        + " job restart(s); "
                        + deadLetters.size()
                        + " dead letters, "
                        + repeated
                        + " of them published twice (documented DLQ limit)");
    }

    /**
     * The job's failures (Flink's exception history), each described by when it came relative to
     * {@code start_app} and its root cause; each must come from RabbitMQ.
     */
    private static List<String> restarts(OtterRun run, Instant up) throws Exception {
        JsonNode failures =
                new FlinkRest(run.restAddress())
                        .get("/jobs/" + run.jobId() + "/exceptions")
                        .path("exceptionHistory")
                        .path("entries");
        List<String> causes = new ArrayList<>();
        for (JsonNode f : failures) {
            assertThat(f.path("stacktrace").asText())
                    .as("a failure caused by the broker restart")
                    .contains("RabbitMQ");
            causes.add(
                    Duration.ofMillis(f.path("timestamp").asLong() - up.toEpochMilli())
                            + " after start_app: "
                            + rootCause(f.path("stacktrace").asText()));
        }
        return causes;
    }

    /** The last {@code Caused by:} line of a stack trace (the first line when there is none). */
    private static String rootCause(String stacktrace) {
        String cause = stacktrace.lines().findFirst().orElse("");
        for (String line : stacktrace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        return cause;
    }

    /** Reads a model's published Parquet files with a DuckDB of its own. */
    private static final class Parquet {
        private final Path root;
        private final DuckDBTestDatabase reader;

        Parquet(Path root, Path readerFile) {
            this.root = root;
            this.reader = DuckDBTestDatabase.at(readerFile);
        }

        String files(String model) {
            return "read_parquet('" + root.resolve(model) + "/**/*.parquet')";
        }

        long rows(String model) {
            return reader.count("SELECT count(*) FROM " + files(model));
        }
    }
}
