package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.dlq.DeadLetterHeaders;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.Kafka;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.PublishedParquet;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.brokers.KafkaBroker;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka -> models -> DuckDB and Parquet with a real KRaft broker: exact rows (Parquet published by
 * the stop), exact dead letters on the DLQ topic (transactional, read committed), offsets committed
 * to the group on checkpoints, {@code dlq inspect} and an exactly-once {@code dlq replay}.
 */
class KafkaPipelineITCase {

    @TempDir static Path brokerDir;
    static KafkaBroker broker;
    static Kafka kafka;

    @TempDir Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerDir.resolve("kafka"));
        kafka = new Kafka(broker);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void consumesCommitsOffsetsDeadLettersAndReplaysExactlyOnce() throws Exception {
        String topic = Kafka.unique("otter-orders");
        String dlqTopic = topic + ".dlq";
        String replayTopic = topic + ".replayed";
        String group = Kafka.unique("otter-it");
        kafka.createTopics(topic, dlqTopic, replayTopic);
        Path project = kafka.ordersProject(dir, topic, group, dlqTopic);

        int n = 150;
        List<Integer> good = new ArrayList<>();
        int parse = 0;
        int shipping = 0;
        for (int i = 0; i < n; i++) {
            if (OrderMessages.malformed(i)) {
                parse++;
            } else {
                good.add(i);
                if (OrderMessages.failsShipping(i)) {
                    shipping++;
                }
            }
        }
        kafka.produce(topic, 0, n, OrderMessages::message);
        int expectedDlq = parse + shipping;
        int goodShipping = good.size() - shipping;

        Path out = dir.resolve("out");
        Cli dry =
                Cli.run(
                        "--project",
                        project.toString(),
                        "--var",
                        "OTTER_OUTPUT=" + out,
                        "run",
                        "--dry-run",
                        "--model",
                        "orders");
        assertThat(dry.exitCode).as(dry.toString()).isZero();
        assertThat(dry.out)
                .startsWith("dry run: 50 message(s) from kafka topic '" + topic + "'")
                .contains("orders: ");
        assertThat(kafka.committed(group, topic)).as("the dry run commits nothing").isZero();
        OtterProject p =
                OtterProject.load(
                        project,
                        null,
                        null,
                        Interpolator.withOverrides(Map.of("OTTER_OUTPUT", out.toString())));
        OtterTransform transform = ProjectTransforms.build(p);
        ProjectChecks.check(p, transform);
        OtterRun run =
                new OtterRun(
                        p,
                        transform,
                        new RunOptions(
                                Duration.ofMillis(300),
                                2,
                                null,
                                dir.resolve("state"),
                                true,
                                null,
                                0,
                                Duration.ZERO,
                                null,
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
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        Poll.until(
                "rows and committed offsets",
                Duration.ofSeconds(90),
                () ->
                        db.count("SELECT count(*) FROM orders") == good.size()
                                && db.count("SELECT count(*) FROM shipping") == goodShipping
                                && kafka.committed(group, topic) == n);
        PublishedParquet parquet = new PublishedParquet(out);
        assertThat(parquet.rows("orders")).as("staged until the stop").isZero();
        run.requestStop();
        OtterRuns.assertStopped(done.get(2, TimeUnit.MINUTES));
        assertThat(parquet.rows("orders")).isEqualTo(good.size());
        assertThat(parquet.distinct("orders", "order_id")).isEqualTo(good.size());
        assertThat(parquet.rows("shipping")).isEqualTo(goodShipping);
        assertThat(parquet.staged()).isEmpty();

        assertThat(db.count("SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(good.size());
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(good.size());

        List<ConsumerRecord<String, String>> letters = kafka.readAll(dlqTopic, expectedDlq);
        assertThat(letters).hasSize(expectedDlq);
        int parseSeen = 0;
        for (ConsumerRecord<String, String> r : letters) {
            int i = Integer.parseInt(r.key().substring(2));
            assertThat(r.value()).isEqualTo(OrderMessages.message(i));
            assertThat(Kafka.header(r, DeadLetterHeaders.SOURCE)).isEqualTo(topic);
            assertThat(Kafka.header(r, DeadLetterHeaders.OFFSET)).isNotNull();
            if ("parse".equals(Kafka.header(r, DeadLetterHeaders.STAGE))) {
                assertThat(OrderMessages.malformed(i)).isTrue();
                parseSeen++;
            } else {
                assertThat(Kafka.header(r, DeadLetterHeaders.STAGE)).isEqualTo("transform");
                assertThat(Kafka.header(r, DeadLetterHeaders.MODEL)).isEqualTo("shipping");
                assertThat(OrderMessages.failsShipping(i)).isTrue();
            }
        }
        assertThat(parseSeen).isEqualTo(parse);

        // dlq inspect: non-destructive; dlq replay: exactly once, to another topic.
        String[] base = {"--project", project.toString(), "--var", "OTTER_OUTPUT=" + out};
        Cli inspect = Cli.run(concat(base, "dlq", "inspect", "--limit", "100", "--json"));
        assertThat(inspect.exitCode).as(inspect.toString()).isZero();
        assertThat(inspect.out.lines().count()).isEqualTo(expectedDlq);
        assertThat(Cli.run(concat(base, "dlq", "inspect", "--limit", "100", "--json")).out)
                .isEqualTo(inspect.out);
        Cli replay = Cli.run(concat(base, "dlq", "replay", "--target", replayTopic));
        assertThat(replay.exitCode).as(replay.toString()).isZero();
        assertThat(replay.out)
                .startsWith("replayed " + expectedDlq + " dead letter(s) from kafka topic");
        assertThat(Cli.run(concat(base, "dlq", "replay", "--target", replayTopic)).out)
                .startsWith("replayed 0 dead letter(s)");
        assertThat(Cli.run(concat(base, "dlq", "inspect", "--json")).out).isEmpty();
        List<ConsumerRecord<String, String>> replayed = kafka.readAll(replayTopic, expectedDlq);
        assertThat(replayed).hasSize(expectedDlq);
        assertThat(replayed)
                .allSatisfy(
                        r -> {
                            assertThat(r.value())
                                    .isEqualTo(
                                            OrderMessages.message(
                                                    Integer.parseInt(r.key().substring(2))));
                            assertThat(Kafka.header(r, DeadLetterHeaders.STAGE)).isNull();
                        });
        assertThat(Files.exists(out.resolve("warehouse.duckdb"))).isTrue();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
