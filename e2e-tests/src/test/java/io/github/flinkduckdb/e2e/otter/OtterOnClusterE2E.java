package io.github.flinkduckdb.e2e.otter;

import io.github.flinkduckdb.e2e.cluster.FlinkRestClient;
import io.github.flinkduckdb.e2e.cluster.FlinkStandaloneCluster;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.brokers.AmqpBroker;
import io.github.flinkduckdb.testing.brokers.KafkaBroker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Otter projects submitted to a standalone cluster as the job jar ({@code OtterJobMain}), with real
 * brokers, a TaskManager killed with SIGKILL while messages flow: RabbitMQ to Parquet and DuckDB,
 * Kafka to DuckDB. No message is lost; outputs and dead letters are exact.
 */
class OtterOnClusterE2E {

    private static final int MESSAGES = 2_400;
    private static final String INCOMING =
            "order_id BIGINT, \"user\" STRUCT(id BIGINT, name VARCHAR), "
                    + "items STRUCT(sku VARCHAR, name VARCHAR, quantity INTEGER, price DECIMAL(10,2))[], "
                    + "currency VARCHAR, placed_at TIMESTAMP";

    private static FlinkStandaloneCluster cluster;
    private static FlinkRestClient rest;
    private static KafkaBroker kafka;
    private static String jarId;
    private static Path work;

    @RegisterExtension
    static final TestExecutionExceptionHandler PRINT_LOGS =
            FlinkStandaloneCluster.printLogsOnFailure(() -> cluster);

    @BeforeAll
    static void start() throws Exception {
        work = FlinkStandaloneCluster.workDirectory("otter");
        AmqpBroker.get();
        CompletableFuture<KafkaBroker> broker =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return KafkaBroker.start(work.resolve("kafka"));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        cluster = FlinkStandaloneCluster.start(work.resolve("cluster"), 2, 2);
        rest = cluster.rest();
        jarId = rest.uploadJar(Paths.get(System.getProperty("e2e.otter.job.jar")));
        kafka = broker.get();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** An Otter project: the seed's two models, the given source, Parquet and/or DuckDB. */
    private static Path project(String name, String sourceYaml, boolean parquet) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        Path models = Files.createDirectories(dir.resolve("models"));
        Path seedModels = Paths.get(System.getProperty("e2e.otter.models"));
        for (String model : new String[] {"orders.sql", "purchases.sql"}) {
            Files.copy(seedModels.resolve(model), models.resolve(model));
        }
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("sources.yml"), sourceYaml);
        Files.writeString(
                config.resolve("sinks.yml"),
                "sinks:\n"
                        + (parquet
                                ? "  parquet:\n    path: "
                                        + dir.resolve("out/parquet")
                                        + "\n    partition_by:\n      orders: [currency]\n"
                                : "")
                        + "  duckdb:\n    path: "
                        + dir.resolve("out/warehouse.duckdb")
                        + "\n    create_tables: true\n    delivery_guarantee: exactly-once\n");
        Files.writeString(
                config.resolve("models.yml"),
                "max_file_bytes: 1048576\nmax_age_seconds: 1\nincoming:\n  schema: >-\n    "
                        + INCOMING
                        + "\n");
        return dir;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    private static long parquetRows(Path dir, String model) {
        Path folder = dir.resolve("out/parquet").resolve(model);
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try {
            return DuckDBTestDatabase.at(work.resolve("reader-" + UUID.randomUUID() + ".duckdb"))
                    .count("SELECT count(*) FROM read_parquet('" + folder + "/**/*.parquet')");
        } catch (IllegalStateException noFilesYet) {
            return 0;
        }
    }

    /** Kills the first live TaskManager and starts a replacement. */
    private static void killATaskManager() throws Exception {
        List<Process> tms = cluster.taskManagers();
        for (int i = 0; i < tms.size(); i++) {
            if (tms.get(i).isAlive()) {
                cluster.killTaskManager(i);
                break;
            }
        }
        cluster.startTaskManager();
    }

    private static void awaitCheckpoints(String job, long n) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (rest.completedCheckpoints(job) < n) {
            assertThat(rest.jobState(job)).isIn("CREATED", "INITIALIZING", "RUNNING");
            assertThat(Instant.now()).as(n + " checkpoints").isBefore(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void rabbitMqToParquetAndDuckDBLosesNothingWhenATaskManagerDies() throws Exception {
        String queue = "e2e-orders-" + UUID.randomUUID().toString().substring(0, 8);
        String dlq = queue + ".dlq";
        AmqpBroker amqp = AmqpBroker.get();
        Path dir =
                project(
                        "rabbitmq",
                        "source:\n  type: rabbitmq\n"
                                + amqp.connectionYaml()
                                + "  queue: "
                                + queue
                                + "\n  dlq: "
                                + dlq
                                + "\n  correlation_id: true\n  prefetch: 500\n"
                                + "  batch_size: 100\n  batch_timeout_ms: 100\n",
                        true);
        OrderMessages messages = new OrderMessages(MESSAGES);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(amqp.host());
        factory.setPort(amqp.port());
        factory.setUsername(amqp.username());
        factory.setPassword(amqp.password());
        try (Connection connection = factory.newConnection("e2e");
                Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(dlq, true, false, false, null);
            try {
                // The first half before the job starts, the rest while it runs.
                publish(channel, queue, messages.bodies.subList(0, MESSAGES / 2), 0);
                String job =
                        rest.runJar(
                                jarId,
                                "io.github.flinkduckdb.otter.runner.OtterJobMain",
                                Arrays.asList(
                                        "--project", dir.toString(), "--checkpoint-interval", "1s"),
                                2);
                awaitCheckpoints(job, 2);
                CompletableFuture<Void> rest2 =
                        CompletableFuture.runAsync(
                                () -> {
                                    try (Channel ch = connection.createChannel()) {
                                        publish(
                                                ch,
                                                queue,
                                                messages.bodies.subList(MESSAGES / 2, MESSAGES),
                                                MESSAGES / 2);
                                    } catch (Exception e) {
                                        throw new IllegalStateException(e);
                                    }
                                });
                killATaskManager();
                rest2.get();
                await(
                        "all rows in Parquet and the source queue drained",
                        Duration.ofMinutes(3),
                        () ->
                                parquetRows(dir, "orders") >= messages.validOrders
                                        && parquetRows(dir, "purchases") >= messages.purchases
                                        && messageCount(channel, queue) == 0
                                        && messageCount(channel, dlq) >= messages.deadLetters);
                rest.stopWithSavepoint(job, work.resolve("savepoints"), Duration.ofMinutes(2));
                assertThat(rest.restarts(job))
                        .as("the job lost a TaskManager")
                        .isGreaterThanOrEqualTo(1);

                assertThat(parquetRows(dir, "orders")).isEqualTo(messages.validOrders);
                assertThat(parquetRows(dir, "purchases")).isEqualTo(messages.purchases);
                DuckDBTestDatabase duck =
                        DuckDBTestDatabase.at(dir.resolve("out/warehouse.duckdb"));
                assertThat(duck.count("SELECT count(*) FROM orders"))
                        .isEqualTo(messages.validOrders);
                assertThat(duck.count("SELECT count(DISTINCT order_id) FROM orders"))
                        .isEqualTo(messages.validOrders);
                assertThat(duck.count("SELECT count(*) FROM purchases"))
                        .isEqualTo(messages.purchases);
                assertThat(messageCount(channel, queue)).isZero();

                // Dead letters: each failed message once (by id), its body unchanged.
                Set<String> ids = new HashSet<>();
                long letters = 0;
                GetResponse r;
                while ((r = channel.basicGet(dlq, true)) != null) {
                    letters++;
                    ids.add(
                            r.getProps().getMessageId() != null
                                    ? r.getProps().getMessageId()
                                    : r.getProps().getCorrelationId());
                    String body = new String(r.getBody(), StandardCharsets.UTF_8);
                    assertThat(messages.bodies).contains(body);
                    Map<String, Object> headers = r.getProps().getHeaders();
                    assertThat(headers).containsKey("x-otter-stage");
                }
                assertThat(ids).hasSize((int) messages.deadLetters);
                System.out.printf(
                        "RabbitMQ on the cluster after a killed TaskManager: %d orders, %d purchases, %d dead letters (%d published)%n",
                        messages.validOrders, messages.purchases, ids.size(), letters);
            } finally {
                channel.queueDelete(queue);
                channel.queueDelete(dlq);
            }
        }
    }

    private static void publish(Channel channel, String queue, List<String> bodies, int first)
            throws Exception {
        for (int i = 0; i < bodies.size(); i++) {
            AMQP.BasicProperties props =
                    new AMQP.BasicProperties.Builder()
                            .correlationId("order-" + (first + i))
                            .messageId("order-" + (first + i))
                            .deliveryMode(2)
                            .build();
            channel.basicPublish("", queue, props, bodies.get(i).getBytes(StandardCharsets.UTF_8));
            if (i % 200 == 199) {
                Thread.sleep(100);
            }
        }
    }

    private static long messageCount(Channel channel, String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void kafkaToDuckDBLosesNothingWhenATaskManagerDies() throws Exception {
        String topic = "e2e-orders-" + UUID.randomUUID().toString().substring(0, 8);
        String dlqTopic = topic + ".dlq";
        String group = "e2e-" + topic;
        try (Admin admin =
                Admin.create(
                        Collections.singletonMap(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers()))) {
            admin.createTopics(
                            Arrays.asList(
                                    new NewTopic(topic, 2, (short) 1),
                                    new NewTopic(dlqTopic, 1, (short) 1)))
                    .all()
                    .get();
            Path dir =
                    project(
                            "kafka",
                            "source:\n  type: kafka\n  bootstrap_servers: "
                                    + kafka.bootstrapServers()
                                    + "\n  topic: "
                                    + topic
                                    + "\n  group_id: "
                                    + group
                                    + "\n  starting_offsets: earliest\n  dlq_topic: "
                                    + dlqTopic
                                    + "\n  batch_size: 100\n  batch_timeout_ms: 100\n",
                            false);
            OrderMessages messages = new OrderMessages(MESSAGES);
            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
                for (int i = 0; i < MESSAGES / 2; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, messages.bodies.get(i)));
                }
                producer.flush();
                String job =
                        rest.runJar(
                                jarId,
                                "io.github.flinkduckdb.otter.runner.OtterJobMain",
                                Arrays.asList(
                                        "--project", dir.toString(), "--checkpoint-interval", "1s"),
                                2);
                awaitCheckpoints(job, 2);
                killATaskManager();
                for (int i = MESSAGES / 2; i < MESSAGES; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, messages.bodies.get(i)));
                }
                producer.flush();
                await(
                        "the group's committed offsets reach the end of the topic",
                        Duration.ofMinutes(3),
                        () -> committed(admin, group, topic) >= MESSAGES);
                rest.stopWithSavepoint(job, work.resolve("savepoints"), Duration.ofMinutes(2));
                assertThat(rest.restarts(job))
                        .as("the job lost a TaskManager")
                        .isGreaterThanOrEqualTo(1);
            }

            DuckDBTestDatabase duck = DuckDBTestDatabase.at(dir.resolve("out/warehouse.duckdb"));
            assertThat(duck.count("SELECT count(*) FROM orders")).isEqualTo(messages.validOrders);
            assertThat(duck.count("SELECT count(DISTINCT order_id) FROM orders"))
                    .isEqualTo(messages.validOrders);
            assertThat(duck.count("SELECT count(*) FROM purchases")).isEqualTo(messages.purchases);
            assertThat(deadLetters(dlqTopic)).isEqualTo(messages.deadLetters);
        }
    }

    private static long committed(Admin admin, String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            long sum = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                if (e.getKey().topic().equals(topic) && e.getValue() != null) {
                    sum += e.getValue().offset();
                }
            }
            return sum;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Committed dead letters on the DLQ topic (transactional: read_committed). */
    private static long deadLetters(String dlqTopic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-check-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(Collections.singletonList(dlqTopic));
            Instant quietSince = Instant.now();
            while (Duration.between(quietSince, Instant.now()).toMillis() < 3_000) {
                int n = 0;
                for (ConsumerRecord<byte[], byte[]> ignored :
                        consumer.poll(Duration.ofMillis(300))) {
                    n++;
                }
                if (n > 0) {
                    count += n;
                    quietSince = Instant.now();
                }
            }
        }
        return count;
    }

    @Test
    void aModelWithBadSqlIsRejectedWithTheModelAndDuckDBsMessage() throws Exception {
        Path dir = project("bad-model", "source:\n  type: file\n  path: messages.jsonl\n", false);
        Files.writeString(dir.resolve("messages.jsonl"), "{\"order_id\": 1}\n");
        Files.writeString(
                dir.resolve("models/broken.sql"), "SELECT incoming.no_such_field FROM incoming");
        assertThatThrownBy(
                        () ->
                                rest.runJar(
                                        jarId,
                                        "io.github.flinkduckdb.otter.runner.OtterJobMain",
                                        Arrays.asList("--project", dir.toString())))
                .hasMessageContaining("broken")
                .hasMessageContaining("no_such_field");
    }
}
