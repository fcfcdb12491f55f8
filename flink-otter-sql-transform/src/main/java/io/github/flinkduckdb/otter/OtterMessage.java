package io.github.flinkduckdb.otter;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One message for the transform: the JSON body as bytes plus where it came from (queue or topic,
 * partition, offset or delivery tag, message id), which dead-letter records carry back so a message
 * can be found and replayed. Only the body is required.
 *
 * <p>A Flink POJO: public no-argument constructor, getters and setters.
 */
@PublicEvolving
public class OtterMessage implements Serializable {

    private static final long serialVersionUID = 1L;

    private byte[] payload;
    private String source;
    private Integer partition;
    private Long offset;
    private String messageId;

    public OtterMessage() {}

    public OtterMessage(
            byte[] payload, String source, Integer partition, Long offset, String messageId) {
        this.payload = payload;
        this.source = source;
        this.partition = partition;
        this.offset = offset;
        this.messageId = messageId;
    }

    /** A message without source metadata. */
    public static OtterMessage of(byte[] payload) {
        return new OtterMessage(payload, null, null, null, null);
    }

    /** A message without source metadata, from JSON text. */
    public static OtterMessage of(String json) {
        return of(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A message with its source: the queue or topic, the partition (null for queues) and the offset
     * or delivery tag.
     */
    public static OtterMessage of(byte[] payload, String source, Integer partition, Long offset) {
        return new OtterMessage(payload, source, partition, offset, null);
    }

    /**
     * The same message with a message id (e.g. RabbitMQ's message or correlation id, a Kafka key).
     */
    public OtterMessage withMessageId(String id) {
        return new OtterMessage(payload, source, partition, offset, id);
    }

    /** The JSON body. */
    public byte[] getPayload() {
        return payload;
    }

    public void setPayload(byte[] payload) {
        this.payload = payload;
    }

    /** The queue or topic, or null. */
    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    /** The partition of a topic, or null. */
    public Integer getPartition() {
        return partition;
    }

    public void setPartition(Integer partition) {
        this.partition = partition;
    }

    /** The offset (Kafka) or delivery tag (RabbitMQ), or null. */
    public Long getOffset() {
        return offset;
    }

    public void setOffset(Long offset) {
        this.offset = offset;
    }

    /** A message id, or null. */
    public String getMessageId() {
        return messageId;
    }

    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }

    /**
     * The source metadata as text for error messages, e.g. {@code orders.raw/0@1234}; never the
     * body.
     */
    public String describeSource() {
        if (source == null && partition == null && offset == null && messageId == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(source == null ? "" : source);
        if (partition != null) {
            sb.append('/').append(partition);
        }
        if (offset != null) {
            sb.append('@').append(offset);
        }
        if (messageId != null) {
            sb.append(" id ").append(messageId);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OtterMessage)) {
            return false;
        }
        OtterMessage that = (OtterMessage) o;
        return Arrays.equals(payload, that.payload)
                && Objects.equals(source, that.source)
                && Objects.equals(partition, that.partition)
                && Objects.equals(offset, that.offset)
                && Objects.equals(messageId, that.messageId);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(source, partition, offset, messageId) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "OtterMessage{"
                + (payload == null ? "no body" : payload.length + " bytes")
                + (describeSource().isEmpty() ? "" : ", " + describeSource())
                + '}';
    }
}
