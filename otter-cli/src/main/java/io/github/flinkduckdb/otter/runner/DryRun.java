package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.dlq.RabbitMQConnections;
import io.github.flinkduckdb.otter.project.FileSourceConfig;
import io.github.flinkduckdb.otter.project.KafkaSourceConfig;
import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;
import io.github.flinkduckdb.otter.project.SourceConfig;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * {@code otter run --dry-run}: takes one batch ({@code batch_size} messages) from the source
 * without acknowledging or committing anything. RabbitMQ messages are fetched unacknowledged and
 * returned to the queue with {@code basic.nack(requeue)}; Kafka records are read from the group's
 * committed offsets with auto-commit off and nothing committed; files are only read.
 */
public final class DryRun {

    private DryRun() {}

    public static List<OtterMessage> fetchOneBatch(SourceConfig source) throws IOException {
        if (source instanceof RabbitMQSourceConfig) {
            return rabbitmq((RabbitMQSourceConfig) source);
        }
        if (source instanceof KafkaSourceConfig) {
            return kafka((KafkaSourceConfig) source);
        }
        return files((FileSourceConfig) source);
    }

    private static List<OtterMessage> rabbitmq(RabbitMQSourceConfig c) throws IOException {
        try (Connection connection = RabbitMQConnections.open(c, "otter-dry-run")) {
            Channel channel = connection.createChannel();
            try {
                channel.queueDeclarePassive(c.queue());
            } catch (IOException e) {
                throw new IOException("RabbitMQ queue '" + c.queue() + "' does not exist", e);
            }
            List<OtterMessage> out = new ArrayList<>();
            long last = -1;
            while (out.size() < c.batchSize()) {
                GetResponse r = channel.basicGet(c.queue(), false);
                if (r == null) {
                    break;
                }
                last = r.getEnvelope().getDeliveryTag();
                String id =
                        r.getProps().getMessageId() != null
                                ? r.getProps().getMessageId()
                                : r.getProps().getCorrelationId();
                out.add(new OtterMessage(r.getBody(), c.queue(), null, last, id));
            }
            if (last >= 0) {
                channel.basicNack(last, true, true);
            }
            channel.close();
            return out;
        } catch (TimeoutException e) {
            throw new IOException("RabbitMQ did not answer: " + e.getMessage(), e);
        }
    }

    private static List<OtterMessage> kafka(KafkaSourceConfig c) throws IOException {
        c.requireEnvironment(System::getenv, "the environment of otter run --dry-run");
        Properties p = c.clientProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, c.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : c.topics()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IOException("Kafka topic '" + topic + "' does not exist");
                }
                for (PartitionInfo i : infos) {
                    partitions.add(new TopicPartition(topic, i.partition()));
                }
            }
            // assign(), not subscribe(): no group membership, no rebalance of a running job.
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(30));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = committed.get(tp);
                if (o != null
                        && !c.startingOffsets().equals("earliest")
                        && !c.startingOffsets().equals("latest")) {
                    consumer.seek(tp, o.offset());
                } else if (c.startingOffsets().equals("latest")) {
                    consumer.seekToEnd(List.of(tp));
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<OtterMessage> out = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (out.size() < c.batchSize() && System.currentTimeMillis() < deadline) {
                boolean atEnd = true;
                for (TopicPartition tp : partitions) {
                    atEnd &= consumer.position(tp) >= end.get(tp);
                }
                if (atEnd) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (out.size() < c.batchSize()) {
                        out.add(
                                new OtterMessage(
                                        r.value() == null ? new byte[0] : r.value(),
                                        r.topic(),
                                        r.partition(),
                                        r.offset(),
                                        r.key() == null
                                                ? null
                                                : new String(r.key(), StandardCharsets.UTF_8)));
                    }
                }
            }
            return out;
        } catch (KafkaException e) {
            throw new IOException("Kafka: " + e.getMessage(), e);
        }
    }

    private static List<OtterMessage> files(FileSourceConfig c) throws IOException {
        Path path = c.file();
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                s.filter(Files::isRegularFile)
                        .filter(f -> !f.getFileName().toString().startsWith("."))
                        .filter(f -> !f.getFileName().toString().startsWith("_"))
                        .sorted()
                        .forEach(files::add);
            }
        } else if (Files.isRegularFile(path)) {
            files.add(path);
        } else {
            throw new IOException("The source file or folder " + path + " does not exist");
        }
        List<OtterMessage> out = new ArrayList<>();
        for (Path f : files) {
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while (out.size() < c.batchSize() && (line = r.readLine()) != null) {
                    if (!line.trim().isEmpty()) {
                        out.add(
                                new OtterMessage(
                                        line.getBytes(StandardCharsets.UTF_8),
                                        f.toString(),
                                        null,
                                        null,
                                        null));
                    }
                }
            }
            if (out.size() >= c.batchSize()) {
                break;
            }
        }
        return out;
    }
}
