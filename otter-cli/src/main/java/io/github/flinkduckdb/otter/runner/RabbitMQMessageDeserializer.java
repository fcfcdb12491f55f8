package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.rabbitmq.RabbitMQDeserializer;

import org.apache.flink.api.common.typeinfo.TypeInformation;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;

/**
 * A RabbitMQ delivery as an Otter message: the body, the queue, the delivery tag and the message id
 * (else the correlation id). Every delivery becomes exactly one message.
 */
final class RabbitMQMessageDeserializer implements RabbitMQDeserializer<OtterMessage> {

    private static final long serialVersionUID = 1L;

    @Override
    public OtterMessage deserialize(
            String queue, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        String id =
                properties.getMessageId() != null
                        ? properties.getMessageId()
                        : properties.getCorrelationId();
        return new OtterMessage(body, queue, null, envelope.getDeliveryTag(), id);
    }

    @Override
    public TypeInformation<OtterMessage> getProducedType() {
        return TypeInformation.of(OtterMessage.class);
    }
}
