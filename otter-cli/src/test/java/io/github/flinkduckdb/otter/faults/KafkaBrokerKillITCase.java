package io.github.flinkduckdb.otter.faults;

import io.github.flinkduckdb.otter.dlq.DeadLetterHeaders;
import io.github.flinkduckdb.otter.runner.OtterRun;
import io.github.flinkduckdb.otter.testing.Kafka;
import io.github.flinkduckdb.otter.testing.OrderIds;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.PublishedParquet;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.brokers.KafkaBroker;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka broker killed with SIGKILL in the middle of an Otter run (Kafka source at parallelism
 * 2, the transactional dead-letter producer, DuckDB and Parquet outputs, exactly-once), down for 5
 * s, then started again on the same data: every good order once in DuckDB and in Parquet, every
 * dead letter once on the DLQ topic (read committed), every offset committed.
 */
class KafkaBrokerKillITCase {

    @TempDir Path dir;
    private KafkaBroker broker;
    private OtterRun run;
    private CompletableFuture<OtterRun.Summary> done;

    @AfterEach
    void stopRunAndBroker() throws Exception {
        OtterRuns.stopIfRunning(run, done);
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aKilledAndRestartedBrokerLosesAndDuplicatesNothing() throws Exception {
        broker = KafkaBroker.start(dir.resolve("kafka"));
        Kafka kafka = new Kafka(broker);
        String topic = Kafka.unique("otter-kill");
        String dlqTopic = topic + ".dlq";
        String group = Kafka.unique("otter-kill");
        kafka.createTopics(topic, dlqTopic);
        Path project = kafka.ordersProject(dir, topic, group, dlqTopic);
        Path out = dir.resolve("out");

        int n = 2_000;
        List<Integer> good = OrderMessages.good(n);
        List<Integer> dead = OrderMessages.deadLetters(n);
        kafka.produce(topic, 0, n / 4, OrderMessages::message);
        run = OtterRuns.embedded(OtterRuns.load(project, out), dir.resolve("state"), true, 0, 10);
        done = OtterRuns.async(run);
        assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
        // Progress is read from the committed offsets: reading warehouse.duckdb from this JVM while
        // the job writes it would conflict with the sink ("Unique file handle conflict").
        Poll.until(
                "200 offsets committed before the kill",
                Duration.ofSeconds(90),
                () -> kafka.committed(group, topic) >= 200);
        // The rest paced (50 every 300 ms) by a producer that goes on through the kill (its sends
        // wait for the broker); the kill comes once half the messages are out: mid-stream.
        AtomicInteger produced = new AtomicInteger(n / 4);
        CompletableFuture<Void> producer =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                for (int i = n / 4; i < n; i += 50) {
                                    kafka.produce(topic, i, i + 50, OrderMessages::message);
                                    produced.set(i + 50);
                                    Thread.sleep(300);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Poll.until(
                "half the messages produced",
                Duration.ofSeconds(60),
                () -> produced.get() >= n / 2);
        long atKill = kafka.committed(group, topic);
        assertThat(produced.get())
                .as("the kill is mid-stream: messages still to come")
                .isLessThan(n);

        broker.killAndRestart(Duration.ofSeconds(5));
        Instant up = Instant.now();
        Callable<String> where =
                () ->
                        kafka.progress(group, topic)
                                + "; "
                                + produced.get()
                                + " produced; "
                                + OtterRuns.describe(run);
        Poll.until(
                "offsets committed after the restart",
                Duration.ofSeconds(120),
                () -> kafka.committed(group, topic) > atKill,
                where);
        Duration recovery = Duration.between(up, Instant.now());
        producer.get(2, TimeUnit.MINUTES);
        Poll.until(
                "every offset committed",
                Duration.ofSeconds(120),
                () -> kafka.committed(group, topic) == n,
                where);
        assertThat(done).as("the run went on after the broker came back").isNotDone();
        run.requestStop();
        OtterRuns.assertStopped(done.get(2, TimeUnit.MINUTES));

        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        PublishedParquet parquet = new PublishedParquet(out);
        OrderIds.Tally inDuckDB = OrderIds.tally(db, "orders", good);
        OrderIds.Tally inParquet = OrderIds.tally(db, parquet.files("orders"), good);
        assertThat(inDuckDB)
                .as("orders in DuckDB")
                .isEqualTo(new OrderIds.Tally(good.size(), 0, 0, 0));
        assertThat(inParquet)
                .as("orders in Parquet")
                .isEqualTo(new OrderIds.Tally(good.size(), 0, 0, 0));
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(good.size());

        List<ConsumerRecord<String, String>> letters = kafka.readAll(dlqTopic, dead.size());
        List<Integer> letterIds = new ArrayList<>();
        for (ConsumerRecord<String, String> r : letters) {
            int i = Integer.parseInt(r.key().substring(2));
            assertThat(r.value()).isEqualTo(OrderMessages.message(i));
            assertThat(Kafka.header(r, DeadLetterHeaders.SOURCE)).isEqualTo(topic);
            letterIds.add(i);
        }
        assertThat(new TreeSet<>(letterIds)).as("dead letters").containsExactlyElementsOf(dead);
        assertThat(letterIds).as("each dead letter once (transactional)").hasSize(dead.size());

        OrderIds.Tally delivered = inDuckDB.worst(inParquet);
        delivered.record(
                "Kafka broker killed (SIGKILL) mid-stream, back after 5 s",
                "Kafka source p2, transactional DLQ producer; DuckDB and Parquet outputs",
                "exactly-once",
                n,
                recovery,
                atKill
                        + " offsets committed at the kill; "
                        + dead.size()
                        + " dead letters, each once");
    }
}
