package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;

import java.io.IOException;
import java.io.Serializable;

/**
 * Turns one delivery into one record. Runs on the reader's task thread.
 *
 * @param <T> the record type
 */
@PublicEvolving
public interface RabbitMQDeserializer<T> extends Serializable, ResultTypeQueryable<T> {

    /**
     * @param queue the queue the message came from
     * @param envelope delivery tag, redelivery flag, exchange and routing key
     * @param properties the message's properties (ids, headers, ...)
     * @param body the body, as published
     * @return the record, or null to skip the message (it is acknowledged with its checkpoint, like
     *     the others)
     * @throws IOException fails the reader (the message stays unacknowledged and comes back)
     */
    T deserialize(String queue, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
            throws IOException;
}
