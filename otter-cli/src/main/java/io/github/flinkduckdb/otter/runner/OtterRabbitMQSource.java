package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.connectors.rabbitmq.RMQDeserializationSchema;
import org.apache.flink.streaming.connectors.rabbitmq.RMQSource;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Envelope;

import java.io.IOException;

/**
 * Flink's {@link RMQSource} for an Otter project: messages carry their queue, delivery tag and
 * message id (or correlation id), and are acknowledged only when the checkpoint that covers them
 * completes (the source acknowledges in {@code notifyCheckpointComplete}, in an AMQP transaction).
 * With {@code correlation_id: true} redeliveries of ids already processed are dropped (exactly-once
 * with unique ids from the producer).
 *
 * <p>The queue is declared durable, not exclusive and not auto-deleted, matching a pre-declared
 * durable queue (the connector's own declaration differs and fails against one).
 */
// RMQSource is a legacy SourceFunction; flink-connector-rabbitmq has no FLIP-27 source for 1.20.
@SuppressWarnings("deprecation")
final class OtterRabbitMQSource extends RMQSource<OtterMessage> {

    private static final long serialVersionUID = 1L;

    private final boolean declareQueue;
    private final RabbitMQSourceConfig config;

    OtterRabbitMQSource(RabbitMQSourceConfig config) {
        super(
                connectionConfig(config),
                config.queue(),
                config.useCorrelationId(),
                new Deserializer(config.queue()));
        this.declareQueue = config.declareQueues();
        this.config = config;
    }

    /**
     * The connector's connection settings. With {@code password_env} they carry no password (the
     * connector's config is serialized into the job): {@link #setupConnectionFactory()} reads it
     * where the source runs.
     */
    static RMQConnectionConfig connectionConfig(RabbitMQSourceConfig config) {
        return new RMQConnectionConfig.Builder()
                .setHost(config.host())
                .setPort(config.port())
                .setVirtualHost(config.vhost())
                .setUserName(config.username())
                .setPassword(config.passwordEnv() == null ? config.password() : "")
                .setPrefetchCount(config.prefetch())
                .setDeliveryTimeout(500)
                .build();
    }

    @Override
    protected ConnectionFactory setupConnectionFactory() throws Exception {
        ConnectionFactory factory = super.setupConnectionFactory();
        factory.setPassword(config.resolvePassword());
        return factory;
    }

    @Override
    protected void setupQueue() throws IOException {
        if (declareQueue) {
            channel.queueDeclare(queueName, true, false, false, null);
        }
    }

    /** Every delivery becomes exactly one message (an uncollected delivery is never acked). */
    static final class Deserializer implements RMQDeserializationSchema<OtterMessage> {

        private static final long serialVersionUID = 1L;
        private final String queue;

        Deserializer(String queue) {
            this.queue = queue;
        }

        @Override
        public void deserialize(
                Envelope envelope,
                AMQP.BasicProperties properties,
                byte[] body,
                RMQCollector<OtterMessage> collector) {
            String id =
                    properties.getMessageId() != null
                            ? properties.getMessageId()
                            : properties.getCorrelationId();
            collector.collect(new OtterMessage(body, queue, null, envelope.getDeliveryTag(), id));
        }

        @Override
        public boolean isEndOfStream(OtterMessage nextElement) {
            return false;
        }

        @Override
        public TypeInformation<OtterMessage> getProducedType() {
            return TypeInformation.of(OtterMessage.class);
        }
    }
}
