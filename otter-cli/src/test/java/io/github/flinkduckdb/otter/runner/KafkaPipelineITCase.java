package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.dlq.DeadLetterHeaders;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.PublishedParquet;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.brokers.KafkaBroker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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

    @TempDir Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerDir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static Properties common() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return p;
    }

    private static void createTopics(String... topics) throws Exception {
        try (Admin admin = Admin.create(common())) {
            List<NewTopic> list = new ArrayList<>();
            for (String t : topics) {
                list.add(new NewTopic(t, 2, (short) 1));
            }
            admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, int expected)
            throws Exception {
        Properties p = common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    out.add(r);
                }
                if (out.size() >= expected && System.currentTimeMillis() > deadline - 27_000) {
                    break;
                }
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void consumesCommitsOffsetsDeadLettersAndReplaysExactlyOnce() throws Exception {
        String topic = "otter-orders-" + UUID.randomUUID().toString().substring(0, 8);
        String dlqTopic = topic + ".dlq";
        String replayTopic = topic + ".replayed";
        String group = "otter-it-" + UUID.randomUUID().toString().substring(0, 8);
        createTopics(topic, dlqTopic, replayTopic);

        Path project = TestProjects.copyOrders(dir);
        TestProjects.write(project.resolve("models/shipping.sql"), OrderMessages.SHIPPING_FAILING);
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n"
                        + "  type: kafka\n"
                        + "  bootstrap_servers: "
                        + broker.bootstrapServers()
                        + "\n  topic: "
                        + topic
                        + "\n  group_id: "
                        + group
                        + "\n  dlq_topic: "
                        + dlqTopic
                        + "\n  starting_offsets: earliest\n"
                        + "  batch_size: 50\n  batch_timeout_ms: 50\n");
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sinks:\n  duckdb:\n    path: ${OTTER_OUTPUT}/warehouse.duckdb\n"
                        + "  parquet:\n    path: ${OTTER_OUTPUT}/parquet\n");
        // No Parquet file is due while the test runs: the stop publishes them.
        Path models = project.resolve("config/models.yml");
        TestProjects.write(
                models,
                Files.readString(models)
                        .replaceAll("max_age_seconds: \\d+", "max_age_seconds: 300"));

        int n = 150;
        List<Integer> good = new ArrayList<>();
        int parse = 0;
        int shipping = 0;
        Properties pp = common();
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "k-" + i, OrderMessages.message(i)));
                if (OrderMessages.malformed(i)) {
                    parse++;
                } else {
                    good.add(i);
                    if (OrderMessages.failsShipping(i)) {
                        shipping++;
                    }
                }
            }
        }
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
        assertThat(committed(group, topic)).as("the dry run commits nothing").isZero();
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
                                && committed(group, topic) == n);
        PublishedParquet parquet = new PublishedParquet(out);
        assertThat(parquet.rows("orders")).as("staged until the stop").isZero();
        run.requestStop();
        assertThat(done.get(2, TimeUnit.MINUTES).finalState()).isEqualTo("STOPPED");
        assertThat(parquet.rows("orders")).isEqualTo(good.size());
        assertThat(parquet.distinct("orders", "order_id")).isEqualTo(good.size());
        assertThat(parquet.rows("shipping")).isEqualTo(goodShipping);
        assertThat(parquet.staged()).isEmpty();

        assertThat(db.count("SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(good.size());
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(good.size());

        List<ConsumerRecord<String, String>> letters = readAll(dlqTopic, expectedDlq);
        assertThat(letters).hasSize(expectedDlq);
        int parseSeen = 0;
        for (ConsumerRecord<String, String> r : letters) {
            int i = Integer.parseInt(r.key().substring(2));
            assertThat(r.value()).isEqualTo(OrderMessages.message(i));
            assertThat(header(r, DeadLetterHeaders.SOURCE)).isEqualTo(topic);
            assertThat(header(r, DeadLetterHeaders.OFFSET)).isNotNull();
            if ("parse".equals(header(r, DeadLetterHeaders.STAGE))) {
                assertThat(OrderMessages.malformed(i)).isTrue();
                parseSeen++;
            } else {
                assertThat(header(r, DeadLetterHeaders.STAGE)).isEqualTo("transform");
                assertThat(header(r, DeadLetterHeaders.MODEL)).isEqualTo("shipping");
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
        List<ConsumerRecord<String, String>> replayed = readAll(replayTopic, expectedDlq);
        assertThat(replayed).hasSize(expectedDlq);
        assertThat(replayed)
                .allSatisfy(
                        r -> {
                            assertThat(r.value())
                                    .isEqualTo(
                                            OrderMessages.message(
                                                    Integer.parseInt(r.key().substring(2))));
                            assertThat(header(r, DeadLetterHeaders.STAGE)).isNull();
                        });
        assertThat(Files.exists(out.resolve("warehouse.duckdb"))).isTrue();
    }

    private static long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(common())) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            long sum = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                if (e.getKey().topic().equals(topic) && e.getValue() != null) {
                    sum += e.getValue().offset();
                }
            }
            return sum;
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
