package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.model.OtterModelException;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.OrderIds;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.PublishedParquet;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sink outages (Otter: "the loop retries on the next flush tick; /readyz reports unhealthy"): the
 * Parquet output folder cannot be written for 20 s in the middle of a RabbitMQ stream, and the run
 * goes on: {@code /readyz} answers 503 naming the output while it fails and 200 after, and every
 * order is in Parquet and DuckDB exactly once. The outage is a regular file put where the output
 * folder was (the folder moved aside, then back): unlike {@code chmod 000}, which does not stop
 * root (these tests run as root here), no user can create the model folders under a file. A stop
 * asked during an outage waits for the output and ends with a savepoint, losing no row. An error no
 * retry fixes (a value the DuckDB table's CHECK refuses; bad SQL) still ends the run at once with
 * the cause.
 */
class SinkOutageITCase {

    @TempDir Path dir;
    private Rabbit rabbit;
    private String queue;

    @BeforeEach
    void setUp() throws Exception {
        rabbit = new Rabbit();
        queue = rabbit.queue("otter-it-outage");
        rabbit.forget(queue + ".dlq");
    }

    @AfterEach
    void tearDown() throws Exception {
        rabbit.close();
    }

    @Test
    void aParquetFolderThatCannotBeWrittenFor20SecondsDelaysRowsAndLosesNone() throws Exception {
        // Files due at every checkpoint: rows are published while the job runs.
        Path project = TestProjects.rabbitMQOrders(dir, queue, null, 500, 50, 0);
        Path out = dir.resolve("out");
        OtterProject p = OtterRuns.load(project, out);
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        PublishedParquet parquet = new PublishedParquet(out);
        // --max-restarts 2: the outage's restarts (more than 2) must not count.
        OtterRun run = OtterRuns.embedded(p, dir.resolve("state"), true, RunOptions.ANY_PORT, 2);
        CompletableFuture<OtterRun.Summary> done = OtterRuns.async(run);
        assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        FlinkRest rest = new FlinkRest(run.restAddress());

        publish(0, 150);
        Poll.until(
                "150 orders published",
                Duration.ofSeconds(90),
                () -> OtterRuns.running(done) && parquet.rows("orders") == 150);
        Poll.until(
                "ready",
                Duration.ofSeconds(30),
                () -> OtterRuns.health(run, "/readyz").startsWith("200 "));

        Path folder = out.resolve("parquet");
        Path aside = out.resolve("parquet-aside");
        Files.move(folder, aside, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(folder, "not a folder: the Parquet output is unavailable\n");
        long outageStart = System.currentTimeMillis();
        publish(150, 300);

        List<String> during = new ArrayList<>();
        Poll.until(
                "/readyz 503 naming the output",
                Duration.ofSeconds(20),
                () -> {
                    String r = OtterRuns.health(run, "/readyz");
                    during.add(r);
                    return OtterRuns.running(done)
                            && r.startsWith("503 ")
                            && r.contains("parquet output ");
                });
        String red = during.get(during.size() - 1);
        assertThat(red).contains("retrying").contains(folder.toString());
        while (System.currentTimeMillis() - outageStart < 20_000) {
            assertThat(OtterRuns.running(done)).as("the run goes on during the outage").isTrue();
            String r = OtterRuns.health(run, "/readyz");
            assertThat(r).as("not ready while the output fails").startsWith("503 ");
            Thread.sleep(500);
        }
        int failures = JobFailures.parse(rest.exceptions(run.jobId())).size();
        assertThat(failures)
                .as("retried more often than --max-restarts allows for other failures")
                .isGreaterThan(2);

        Files.delete(folder);
        Files.move(aside, folder, StandardCopyOption.ATOMIC_MOVE);
        Instant back = Instant.now();
        Poll.until(
                "new rows published after the outage",
                Duration.ofSeconds(90),
                () -> parquet.rows("orders") > 150);
        Duration recovery = Duration.between(back, Instant.now());
        Poll.until(
                "ready again",
                Duration.ofSeconds(90),
                () ->
                        OtterRuns.running(done)
                                && OtterRuns.health(run, "/readyz").startsWith("200 "));
        Poll.until(
                "300 orders published",
                Duration.ofSeconds(60),
                () -> parquet.rows("orders") == 300 && parquet.rows("purchases") == 300);
        run.requestStop();
        OtterRuns.assertStopped(done.get(2, TimeUnit.MINUTES));

        assertThat(parquet.rows("orders")).isEqualTo(300);
        assertThat(parquet.distinct("orders", "order_id")).isEqualTo(300);
        assertThat(parquet.rows("purchases")).isEqualTo(300);
        assertThat(parquet.staged()).as("nothing left in staging").isEmpty();
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(300);
        assertThat(db.count("SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(300);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(300);
        assertThat(rabbit.count(queue)).isZero();
        assertThat(rabbit.count(queue + ".dlq")).isZero();

        List<Integer> ids = IntStream.range(0, 300).boxed().toList();
        OrderIds.Tally delivered = OrderIds.tallyOrders(db, parquet.files("orders"), ids);
        delivered.record(
                "Parquet output folder unwritable for 20 s (a file in its place)",
                "Parquet sink (otter run, MiniCluster)",
                "exactly-once",
                300,
                recovery,
                failures
                        + " job restarts in the first 20 s (an outage: not counted against"
                        + " --max-restarts)");
    }

    /**
     * Ctrl-C while the output is down: the job, restarting after each failed write, declines the
     * savepoint, and the stop asks again until the output is back instead of cancelling. The run
     * ends STOPPED with a savepoint, and the next run resumes from it with every order exactly
     * once.
     */
    @Test
    void aStopDuringAnOutageEndsStoppedOnceTheOutputIsBackAndLosesNoRow() throws Exception {
        Path project = TestProjects.rabbitMQOrders(dir, queue, null, 500, 50, 0);
        Path out = dir.resolve("out");
        OtterProject p = OtterRuns.load(project, out);
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        PublishedParquet parquet = new PublishedParquet(out);
        OtterRun run = OtterRuns.embedded(p, dir.resolve("state"), true, RunOptions.ANY_PORT, 2);
        CompletableFuture<OtterRun.Summary> done = OtterRuns.async(run);
        assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();

        publish(0, 100);
        Poll.until(
                "100 orders published",
                Duration.ofSeconds(90),
                () -> OtterRuns.running(done) && parquet.rows("orders") == 100);

        Path folder = out.resolve("parquet");
        Path aside = out.resolve("parquet-aside");
        Files.move(folder, aside, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(folder, "not a folder: the Parquet output is unavailable\n");
        publish(100, 200);
        // Not any 503: the job has failed on the output and restarts.
        Poll.until(
                "/readyz 503 naming the output",
                Duration.ofSeconds(30),
                () -> {
                    String r = OtterRuns.health(run, "/readyz");
                    return OtterRuns.running(done)
                            && r.startsWith("503 ")
                            && r.contains("parquet output ");
                });

        // requestStop() returns once the job stopped or was cancelled: Ctrl-C's thread.
        Thread stopper = new Thread(run::requestStop, "otter-test-stop");
        stopper.start();
        Thread.sleep(5_000);
        assertThat(done).as("the stop waits while the output is down").isNotDone();
        Files.delete(folder);
        Files.move(aside, folder, StandardCopyOption.ATOMIC_MOVE);

        OtterRun.Summary stopped = done.get(2, TimeUnit.MINUTES);
        stopper.join(10_000);
        OtterRuns.assertStopped(stopped);
        assertThat(stopped.savepoint()).isNotNull();
        // A stop publishes: what the run took is in Parquet and DuckDB, once, nothing staged.
        long taken = parquet.rows("orders");
        assertThat(taken).isBetween(100L, 200L);
        assertThat(parquet.distinct("orders", "order_id")).isEqualTo(taken);
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(taken);
        assertThat(parquet.staged()).as("nothing left in staging").isEmpty();

        OtterRun second =
                OtterRuns.embedded(p, dir.resolve("state"), false, RunOptions.ANY_PORT, 2);
        CompletableFuture<OtterRun.Summary> secondDone = OtterRuns.async(second);
        assertThat(second.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        Poll.until(
                "200 orders published, a checkpoint completed",
                Duration.ofSeconds(90),
                () ->
                        OtterRuns.running(secondDone)
                                && parquet.rows("orders") == 200
                                && parquet.rows("purchases") == 200
                                && OtterRuns.health(second, "/readyz").contains("completed"));
        second.requestStop();
        OtterRun.Summary resumed = secondDone.get(2, TimeUnit.MINUTES);
        OtterRuns.assertStopped(resumed);
        assertThat(resumed.resumedFrom())
                .as("the stop's savepoint")
                .contains(Path.of(URI.create(stopped.savepoint())).getFileName().toString());

        assertThat(parquet.rows("orders")).isEqualTo(200);
        assertThat(parquet.distinct("orders", "order_id")).isEqualTo(200);
        assertThat(parquet.rows("purchases")).isEqualTo(200);
        assertThat(parquet.staged()).as("nothing left in staging").isEmpty();
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(200);
        assertThat(db.count("SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(200);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(200);
        assertThat(rabbit.count(queue)).isZero();
        assertThat(rabbit.count(queue + ".dlq")).isZero();
    }

    @Test
    void aValueTheOutputTableRefusesEndsTheRunAtOnceWithTheCause() throws Exception {
        Path project = TestProjects.rabbitMQOrders(dir, queue, null, 500, 50, 0);
        Path out = dir.resolve("out");
        OtterProject p = OtterRuns.load(project, out);
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        // A first run creates the tables; then orders gets a CHECK that order 100 breaks.
        OtterRun first = OtterRuns.embedded(p, dir.resolve("state"), true, 0, 2);
        CompletableFuture<OtterRun.Summary> firstDone = OtterRuns.async(first);
        assertThat(first.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        publish(0, 10);
        Poll.until(
                "10 orders in DuckDB",
                Duration.ofSeconds(90),
                () -> OtterRuns.running(firstDone) && orders(db) == 10);
        first.requestStop();
        OtterRuns.assertStopped(firstDone.get(2, TimeUnit.MINUTES));
        StringBuilder columns = new StringBuilder();
        for (var c :
                db.rows(
                        "SELECT column_name, data_type FROM information_schema.columns"
                                + " WHERE table_name = 'orders' ORDER BY ordinal_position")) {
            columns.append('"')
                    .append(c.get("column_name"))
                    .append("\" ")
                    .append(c.get("data_type"))
                    .append(", ");
        }
        db.execute(
                "CREATE TABLE orders_checked (" + columns + "CHECK (order_id < 100))",
                "INSERT INTO orders_checked SELECT * FROM orders",
                "DROP TABLE orders",
                "ALTER TABLE orders_checked RENAME TO orders");

        // No bound on restarts: only the kind of the error can end this run.
        OtterRun second = OtterRuns.embedded(p, dir.resolve("state"), false, 0, -1);
        CompletableFuture<OtterRun.Summary> secondDone = OtterRuns.async(second);
        assertThat(second.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        long published = System.currentTimeMillis();
        publish(100, 105);
        Throwable failure = secondDone.handle((r, e) -> e).get(60, TimeUnit.SECONDS);
        assertThat(jobFailure(failure).getMessage())
                .contains("a retry cannot fix")
                .contains("Constraint Error")
                .contains("orders");
        assertThat(System.currentTimeMillis() - published)
                .as("ended within 30 s, not after retries")
                .isLessThan(30_000);
        assertThat(orders(db)).as("the refused rows are not in DuckDB").isEqualTo(10);
    }

    @Test
    void badSqlFailsBeforeTheJobStartsWithTheCause() throws Exception {
        Path project = TestProjects.rabbitMQOrders(dir, queue, null, 500, 50, 0);
        TestProjects.write(
                project.resolve("models/orders.sql"), "SELEC incoming.order_id FROM incoming\n");
        OtterProject p = OtterRuns.load(project, dir.resolve("out"));
        assertThatThrownBy(() -> OtterRuns.embedded(p, dir.resolve("state"), true, 0, -1))
                .isInstanceOf(OtterModelException.class)
                .hasMessageContaining("orders")
                .satisfies(
                        e ->
                                assertThat(((OtterModelException) e).problem())
                                        .isEqualTo(OtterModelException.Problem.SYNTAX_ERROR));
    }

    private static Throwable jobFailure(Throwable failure) {
        Throwable t = failure;
        while (t != null && !(t instanceof OtterRun.JobFailedException)) {
            t = t.getCause();
        }
        assertThat(t).as("the run failed with JobFailedException").isNotNull();
        return t;
    }

    private static long orders(DuckDBTestDatabase db) {
        try {
            return db.count("SELECT count(*) FROM orders");
        } catch (RuntimeException e) {
            return -1; // not created yet
        }
    }

    private void publish(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            rabbit.publish(queue, OrderMessages.order(i, i % 2 == 0 ? "EUR" : "USD"), "o-" + i);
        }
    }
}
