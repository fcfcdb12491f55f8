package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The micro-batch buffer shared by the transform's operator and its process functions: buffers
 * messages, decides when a batch is due (size, bytes, age), runs it in one {@link TransformRunner}
 * and hands every row and dead letter to an {@link Output}, message by message in arrival order,
 * each with the timestamp its message arrived with. Counts everything in {@link OtterMetrics}.
 *
 * <p>Message numbers (in dead letters) are given when a batch runs, so the number of the first
 * buffered message is {@link #nextMessageNumber()}: a checkpoint that keeps the buffer and that
 * number restores the same numbering.
 *
 * <p>Not thread-safe: use it on the task thread only.
 */
@Internal
public final class MessageBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MessageBatcher.class);

    /** Receives a batch's outputs. */
    public interface Output {
        /**
         * A row of the model at {@code model} (the transform's model order).
         *
         * @param columns the row's columns (the model's output schema; for a schema-free transform,
         *     the model's columns for the message's shape)
         * @param timestamp the timestamp its message arrived with, or null
         */
        void row(int model, Row row, List<ColumnSchema> columns, Long timestamp);

        /**
         * A dead letter.
         *
         * @param timestamp the timestamp its message arrived with, or null
         */
        void deadLetter(OtterDeadLetter deadLetter, Long timestamp);
    }

    private final TransformPlan plan;
    private final TransformRunner engine;
    private final OtterMetrics metrics;
    private final List<OtterMessage> buffer;
    private final List<Long> timestamps;
    private long bufferedBytes;
    private long oldestArrival;
    private boolean ageFromNextMessage;
    private long nextMessageNumber;

    private MessageBatcher(
            TransformPlan plan,
            TransformRunner engine,
            OtterMetrics metrics,
            long nextMessageNumber) {
        this.plan = plan;
        this.engine = engine;
        this.metrics = metrics;
        this.nextMessageNumber = nextMessageNumber;
        this.buffer = new ArrayList<>(Math.min(plan.maxBatchSize(), 4096));
        this.timestamps = new ArrayList<>(Math.min(plan.maxBatchSize(), 4096));
    }

    /**
     * Opens the batcher and its DuckDB (spilling to a new folder below {@code tempBase}); call on
     * the thread that will use it.
     *
     * @param subtask the subtask index put into dead letters
     * @param nextMessageNumber the number of the next message (0, or what a checkpoint kept)
     */
    public static MessageBatcher open(
            TransformPlan plan,
            Path tempBase,
            int subtask,
            OtterMetrics metrics,
            long nextMessageNumber)
            throws SQLException, IOException {
        TransformRunner engine = TransformRunner.open(plan, tempBase, subtask);
        LOG.info(
                "Otter transform subtask {}: models {}, DuckDB memory_limit {}, threads {}, spill"
                        + " below {}, batches of up to {} messages / {} ms",
                subtask,
                plan.modelNames(),
                plan.duckdbSettings().memoryLimit(),
                plan.duckdbSettings().threads(),
                tempBase,
                plan.maxBatchSize(),
                plan.maxBatchDelayMillis());
        return new MessageBatcher(plan, engine, metrics, nextMessageNumber);
    }

    /**
     * Puts messages a checkpoint kept ahead of new ones. They count toward the batch's limits as
     * before the checkpoint (so batches keep their bounds), and their age counts from the next
     * message. They were counted in {@code messagesIn} before the checkpoint.
     */
    public void restore(List<OtterMessage> messages) {
        for (OtterMessage message : messages) {
            append(message, null);
        }
        ageFromNextMessage = !buffer.isEmpty();
    }

    /**
     * Buffers a message and runs the batch when it is due: {@code maxBatchSize} messages, {@code
     * maxBatchBytes} of bodies, its oldest message buffered {@code maxBatchDelay} ago or longer (by
     * {@code now}, in milliseconds), or it holds restored messages.
     *
     * @return whether the batch ran
     * @throws SQLException when DuckDB itself fails (not a model failing for a message)
     */
    public boolean add(OtterMessage message, Long timestamp, long now, Output output)
            throws SQLException {
        if (buffer.isEmpty() || ageFromNextMessage) {
            oldestArrival = now;
            ageFromNextMessage = false;
        }
        append(message, timestamp);
        metrics.messageIn();
        boolean due =
                buffer.size() >= plan.maxBatchSize()
                        || bufferedBytes >= plan.maxBatchBytes()
                        || isOverdue(now);
        if (due) {
            flush(output);
        }
        return due;
    }

    private void append(OtterMessage message, Long timestamp) {
        buffer.add(message);
        timestamps.add(timestamp);
        byte[] payload = message.getPayload();
        bufferedBytes += payload == null ? 0 : payload.length;
    }

    /** Whether buffered messages have waited {@code maxBatchDelay} (never when it is 0). */
    public boolean isOverdue(long now) {
        return !buffer.isEmpty()
                && plan.maxBatchDelayMillis() > 0
                && now - oldestArrival >= plan.maxBatchDelayMillis();
    }

    /** Runs the buffered messages as one batch, if there are any. */
    public void flush(Output output) throws SQLException {
        if (buffer.isEmpty()) {
            return;
        }
        long batchedBefore = engine.batchedRuns();
        long splitsBefore = engine.batchSplits();
        long perMessageBefore = engine.perMessageRuns();
        List<MessageOutcome> results = engine.process(buffer, nextMessageNumber);
        metrics.batch(
                engine.batchedRuns() - batchedBefore,
                engine.batchSplits() - splitsBefore,
                engine.perMessageRuns() - perMessageBefore);
        int models = plan.modelNames().size();
        for (int i = 0; i < results.size(); i++) {
            MessageOutcome result = results.get(i);
            Long timestamp = timestamps.get(i);
            for (int m = 0; m < models; m++) {
                List<Row> rows = result.rows(m);
                for (Row row : rows) {
                    output.row(m, row, result.columns(m), timestamp);
                }
                metrics.rowsOut(m, rows.size());
            }
            for (OtterDeadLetter deadLetter : result.deadLetters()) {
                output.deadLetter(deadLetter, timestamp);
                metrics.deadLetter(deadLetter);
            }
        }
        // Only now: if DuckDB failed above, the task fails with the buffer as it was.
        nextMessageNumber += buffer.size();
        buffer.clear();
        timestamps.clear();
        bufferedBytes = 0;
        ageFromNextMessage = false;
    }

    public boolean isEmpty() {
        return buffer.isEmpty();
    }

    /** The buffered messages, oldest first (a read-only view: copy it to keep it). */
    public List<OtterMessage> bufferedMessages() {
        return Collections.unmodifiableList(buffer);
    }

    /** The number the first buffered (or the next) message gets. */
    public long nextMessageNumber() {
        return nextMessageNumber;
    }

    @Override
    public void close() throws SQLException {
        engine.close();
    }
}
