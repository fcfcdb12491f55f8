package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.project.KafkaSourceConfig;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The DLQ topic of a Kafka project. What is "in" the DLQ is what the replay group ({@code <group
 * id>-dlq-replay}) has not consumed yet. Inspecting reads from there without committing anything.
 * Replaying reads to the end offsets of the start and writes each record to the target topic in
 * Kafka transactions that also commit the replay group's offsets (Kafka's exactly-once
 * read-process-write), so each dead letter is replayed exactly once.
 */
final class KafkaDeadLetterQueue implements DeadLetterQueue {

    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaSourceConfig config;

    KafkaDeadLetterQueue(KafkaSourceConfig config) {
        this.config = config;
    }

    String replayGroup() {
        return config.groupId() + "-dlq-replay";
    }

    @Override
    public String defaultTarget() {
        return config.topics().get(0);
    }

    @Override
    public List<DeadLetterMessage> inspect(int limit) throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> end = position(consumer);
            List<DeadLetterMessage> out = new ArrayList<>();
            while (out.size() < limit && !reachedEnd(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (out.size() < limit) {
                        out.add(message(r));
                    }
                }
            }
            return out;
        } catch (KafkaException e) {
            throw new IOException("Kafka: " + e.getMessage(), e);
        }
    }

    @Override
    public long replay(String target) throws IOException {
        String to = target == null ? config.topics().get(0) : target;
        if (to.equals(config.dlqTopic())) {
            throw new IllegalArgumentException(
                    "The replay target is the DLQ topic itself (" + to + "); name another topic");
        }
        Properties p = clientProperties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "otter-dlq-replay-" + UUID.randomUUID());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        long moved = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            Map<TopicPartition, Long> end = position(consumer);
            while (!reachedEnd(consumer, end)) {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp)) {
                        batch.add(r);
                        offsets.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                try {
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        RecordHeaders headers = new RecordHeaders();
                        for (Header h : r.headers()) {
                            if (!h.key().startsWith("x-otter-")) {
                                headers.add(h);
                            }
                        }
                        producer.send(
                                new ProducerRecord<>(to, null, null, r.key(), r.value(), headers));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                } catch (KafkaException e) {
                    producer.abortTransaction();
                    throw e;
                }
                moved += batch.size();
            }
            return moved;
        } catch (KafkaException e) {
            throw new IOException("Kafka: " + e.getMessage(), e);
        }
    }

    /** The project's client properties, after checking their variables are set here. */
    private Properties clientProperties() {
        config.requireEnvironment(System::getenv, "the environment of otter dlq");
        return config.clientProperties();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = clientProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, replayGroup());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /**
     * Assigns every partition of the DLQ topic at the replay group's position; returns the end
     * offsets now (the messages "in" the DLQ are those before them).
     */
    private Map<TopicPartition, Long> position(KafkaConsumer<byte[], byte[]> consumer)
            throws IOException {
        List<PartitionInfo> infos =
                consumer.partitionsFor(config.dlqTopic(), Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IOException("Kafka topic '" + config.dlqTopic() + "' does not exist");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo i : infos) {
            partitions.add(new TopicPartition(i.topic(), i.partition()));
        }
        consumer.assign(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed =
                consumer.committed(new java.util.HashSet<>(partitions), Duration.ofSeconds(30));
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, o.offset());
            }
        }
        return consumer.endOffsets(partitions, Duration.ofSeconds(30));
    }

    private static boolean reachedEnd(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static DeadLetterMessage message(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(
                    h.key(),
                    h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        return new DeadLetterMessage(
                r.topic() + "/" + r.partition() + "@" + r.offset(), r.value(), headers);
    }
}
