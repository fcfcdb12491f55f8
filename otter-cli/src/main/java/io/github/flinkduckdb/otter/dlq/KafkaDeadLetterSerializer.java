package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.OtterDeadLetter;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A dead letter as a Kafka record on the DLQ topic: the original value unchanged, the original key
 * (the message id) as key, error, model and stage as headers ({@link DeadLetterHeaders}).
 */
public final class KafkaDeadLetterSerializer
        implements KafkaRecordSerializationSchema<OtterDeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public KafkaDeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            OtterDeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        for (Map.Entry<String, String> h : DeadLetterHeaders.of(letter).entrySet()) {
            headers.add(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8));
        }
        byte[] key =
                letter.getMessageId() == null
                        ? null
                        : letter.getMessageId().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, null, key, letter.getPayload(), headers);
    }
}
