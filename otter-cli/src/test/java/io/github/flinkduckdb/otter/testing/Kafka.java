package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.testing.brokers.KafkaBroker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A test's client of a {@link KafkaBroker}: topics, the orders project, producing, reading back.
 */
public final class Kafka {

    /** Partitions of every topic {@link #createTopics} creates. */
    public static final int PARTITIONS = 2;

    private final KafkaBroker broker;

    public Kafka(KafkaBroker broker) {
        this.broker = broker;
    }

    /** A topic name no other test uses. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Properties common() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return p;
    }

    /** Creates the topics with {@link #PARTITIONS} partitions each. */
    public void createTopics(String... topics) throws Exception {
        try (Admin admin = Admin.create(common())) {
            List<NewTopic> list = new ArrayList<>();
            for (String t : topics) {
                list.add(new NewTopic(t, PARTITIONS, (short) 1));
            }
            admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * The orders project (the failing shipping model of {@link OrderMessages}) reading {@code
     * topic} as {@code group}, dead letters to {@code dlqTopic}, DuckDB and Parquet under {@code
     * ${OTTER_OUTPUT}}; no Parquet file due while a test runs (the stop publishes them).
     */
    public Path ordersProject(Path dir, String topic, String group, String dlqTopic)
            throws Exception {
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
        Path models = project.resolve("config/models.yml");
        TestProjects.write(
                models,
                java.nio.file.Files.readString(models)
                        .replaceAll("max_age_seconds: \\d+", "max_age_seconds: 300"));
        return project;
    }

    /**
     * Sends {@code message(i)} with key {@code k-<i>} for i in [from, to), waiting for each ack.
     */
    public void produce(String topic, int from, int to, IntFunction<String> message)
            throws Exception {
        Properties pp = common();
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, "k-" + i, message.apply(i)));
            }
            producer.flush();
        }
    }

    /**
     * The committed records of {@code topic} (read committed), waiting up to 30 s for {@code
     * expected}.
     */
    public List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
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

    /** A record header as text, or null. */
    public static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * Per partition of {@code topic}: the offset {@code group} committed and the log's end, e.g.
     * {@code "p0 committed 480 of 1000, p1 committed 520 of 1000"}; for a timeout's message.
     */
    public String progress(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(common())) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, group);
            Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(BY_PARTITION);
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            StringBuilder sb = new StringBuilder();
            for (TopicPartition tp : latest.keySet()) {
                OffsetAndMetadata c = committed.get(tp);
                sb.append(sb.length() == 0 ? "" : ", ")
                        .append('p')
                        .append(tp.partition())
                        .append(" committed ")
                        .append(c == null ? "nothing" : String.valueOf(c.offset()))
                        .append(" of ")
                        .append(ends.get(tp).offset());
            }
            return sb.toString();
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group)
            throws Exception {
        return admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
    }

    private static final Comparator<TopicPartition> BY_PARTITION =
            Comparator.comparingInt(TopicPartition::partition);

    /** The offsets {@code group} committed on {@code topic}, summed over its partitions. */
    public long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(common())) {
            long sum = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e :
                    committed(admin, group).entrySet()) {
                if (e.getKey().topic().equals(topic) && e.getValue() != null) {
                    sum += e.getValue().offset();
                }
            }
            return sum;
        }
    }
}
