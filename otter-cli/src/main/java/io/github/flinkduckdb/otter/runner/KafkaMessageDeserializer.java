package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.project.KafkaSourceConfig;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * A Kafka record as an Otter message: the value as body, topic/partition/offset, key as id. Opened
 * on the TaskManager before the source's consumers are created, it checks that the variables of the
 * source's {@code properties_env} are set there.
 */
final class KafkaMessageDeserializer implements KafkaRecordDeserializationSchema<OtterMessage> {

    private static final long serialVersionUID = 1L;

    private final KafkaSourceConfig source;

    KafkaMessageDeserializer(KafkaSourceConfig source) {
        this.source = source;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        source.requireEnvironment(System::getenv, "this TaskManager's environment");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<OtterMessage> out) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        out.collect(
                new OtterMessage(
                        record.value() == null ? new byte[0] : record.value(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        key));
    }

    @Override
    public TypeInformation<OtterMessage> getProducedType() {
        return TypeInformation.of(OtterMessage.class);
    }
}
