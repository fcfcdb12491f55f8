package io.github.flinkduckdb.otter;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message the transform could not (fully) handle: the original bytes unchanged, the error, the
 * stage ({@link OtterStage#PARSE}, {@link OtterStage#TRANSFORM}, {@link OtterStage#CONVERT}), the
 * model (null for {@code parse}: the message failed before any model ran), the message's source
 * metadata and its number. An unparseable message gives one record; a message that fails in two
 * models gives two, and its other models still produced their rows.
 *
 * <p>A Flink POJO: public no-argument constructor, getters and setters.
 */
@PublicEvolving
public class OtterDeadLetter implements Serializable {

    private static final long serialVersionUID = 1L;

    private byte[] payload;
    private String error;
    private String model;
    private OtterStage stage;
    private String source;
    private Integer partition;
    private Long offset;
    private String messageId;
    private long messageNumber;
    private int subtask;

    public OtterDeadLetter() {}

    /** The record for {@code message} failing in {@code stage} ({@code model} null for parse). */
    public static OtterDeadLetter of(
            OtterMessage message,
            long messageNumber,
            int subtask,
            OtterStage stage,
            String model,
            String error) {
        OtterDeadLetter d = new OtterDeadLetter();
        d.payload = message.getPayload();
        d.source = message.getSource();
        d.partition = message.getPartition();
        d.offset = message.getOffset();
        d.messageId = message.getMessageId();
        d.messageNumber = messageNumber;
        d.subtask = subtask;
        d.stage = stage;
        d.model = model;
        d.error = error;
        return d;
    }

    /** The message body exactly as received. */
    public byte[] getPayload() {
        return payload;
    }

    public void setPayload(byte[] payload) {
        this.payload = payload;
    }

    /** The body as UTF-8 text (for display). */
    public String payloadAsString() {
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }

    /** What went wrong: DuckDB's message or the schema rule that was broken. */
    public String getError() {
        return error;
    }

    public void setError(String error) {
        this.error = error;
    }

    /** The model that failed; null for stage parse. */
    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public OtterStage getStage() {
        return stage;
    }

    public void setStage(OtterStage stage) {
        this.stage = stage;
    }

    /** The queue or topic the message came from, or null. */
    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public Integer getPartition() {
        return partition;
    }

    public void setPartition(Integer partition) {
        this.partition = partition;
    }

    /** The offset or delivery tag, or null. */
    public Long getOffset() {
        return offset;
    }

    public void setOffset(Long offset) {
        this.offset = offset;
    }

    public String getMessageId() {
        return messageId;
    }

    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }

    /**
     * The message's number in its transform subtask, counting from 0 (kept across restarts in Flink
     * state).
     */
    public long getMessageNumber() {
        return messageNumber;
    }

    public void setMessageNumber(long messageNumber) {
        this.messageNumber = messageNumber;
    }

    /** The transform subtask that handled the message. */
    public int getSubtask() {
        return subtask;
    }

    public void setSubtask(int subtask) {
        this.subtask = subtask;
    }

    /**
     * One line for logs and alerts: stage, model, message number and source, error; never the body.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("stage ").append(stage == null ? "?" : stage.label());
        if (model != null) {
            sb.append(", model '").append(model).append('\'');
        }
        sb.append(", message ").append(messageNumber).append(" of subtask ").append(subtask);
        OtterMessage origin = new OtterMessage(null, source, partition, offset, messageId);
        if (!origin.describeSource().isEmpty()) {
            sb.append(" (").append(origin.describeSource()).append(')');
        }
        return sb.append(": ").append(error).toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OtterDeadLetter)) {
            return false;
        }
        OtterDeadLetter that = (OtterDeadLetter) o;
        return messageNumber == that.messageNumber
                && subtask == that.subtask
                && Arrays.equals(payload, that.payload)
                && Objects.equals(error, that.error)
                && Objects.equals(model, that.model)
                && stage == that.stage
                && Objects.equals(source, that.source)
                && Objects.equals(partition, that.partition)
                && Objects.equals(offset, that.offset)
                && Objects.equals(messageId, that.messageId);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(error, model, stage, source, partition, offset, messageNumber)
                + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "OtterDeadLetter{"
                + describe()
                + ", "
                + (payload == null ? "no body" : payload.length + " bytes")
                + '}';
    }
}
