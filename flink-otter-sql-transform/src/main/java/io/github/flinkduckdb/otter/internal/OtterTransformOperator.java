package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.ShapedRow;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Row;
import org.apache.flink.util.OutputTag;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * The Flink operator of {@code OtterTransform.apply}: one {@link MessageBatcher} (one in-process
 * DuckDB) per operator instance, created in {@link #open()} on the task thread. Built by {@link
 * OtterTransformOperatorFactory}, which sets the chaining strategy.
 *
 * <p>Messages are buffered into micro-batches, flushed when the batch reaches its size or byte
 * limit, when the latency timer fires, before every checkpoint barrier ({@link
 * #prepareSnapshotPreBarrier}), before every watermark and at end of input: a checkpoint never
 * covers a buffered message, so none is lost on failure, and no output falls behind a watermark.
 * Each model's rows go to the model's side output, dead letters to the main output, both with the
 * timestamp of their message, in message order.
 *
 * <p>Why an operator and not only {@code OtterProcessFunction}: a non-keyed function cannot
 * register a processing-time timer (an idle stream's partial batch would wait for the next
 * message), cannot act before a checkpoint barrier or a watermark, cannot see the end of input, and
 * cannot give each output the timestamp of its own message. The operator does all of that without a
 * {@code keyBy} (no network shuffle per message). It uses only operator API that Flink 1.20 and 2.x
 * both have: no {@code setup} override, no {@code chainingStrategy} field.
 */
@Internal
public final class OtterTransformOperator<IN> extends AbstractStreamOperator<OtterDeadLetter>
        implements OneInputStreamOperator<IN, OtterDeadLetter>, MessageBatcher.Output {

    private static final long serialVersionUID = 1L;

    private final TransformPlan plan;
    private final MessageReader<IN> reader;
    private final List<OutputTag<Row>> tags;
    private final List<OutputTag<ShapedRow>> shapedTags;

    private transient MessageBatcher batcher;
    private transient ScheduledFuture<?> timer;
    private transient long restoredMessageNumber;
    private transient ListState<Long> messageNumberState;

    public OtterTransformOperator(
            TransformPlan plan, MessageReader<IN> reader, List<OutputTag<Row>> tags) {
        this(plan, reader, tags, new ArrayList<>());
    }

    /**
     * @param shapedTags for a schema-free plan, the models' tags of rows with their columns
     *     (instead of {@code tags})
     */
    public OtterTransformOperator(
            TransformPlan plan,
            MessageReader<IN> reader,
            List<OutputTag<Row>> tags,
            List<OutputTag<ShapedRow>> shapedTags) {
        this.plan = plan;
        this.reader = reader;
        this.tags = new ArrayList<>(tags);
        this.shapedTags = new ArrayList<>(shapedTags);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        messageNumberState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>("otter-next-message-number", Long.class));
        long next = 0;
        for (Long n : messageNumberState.get()) {
            next = Math.max(next, n);
        }
        restoredMessageNumber = next;
    }

    @Override
    public void open() throws Exception {
        super.open();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        Path tempBase;
        if (plan.duckdbSettings().tempDirectory() != null) {
            tempBase = Paths.get(plan.duckdbSettings().tempDirectory());
        } else {
            String[] dirs =
                    getContainingTask()
                            .getEnvironment()
                            .getIOManager()
                            .getSpillingDirectoriesPaths();
            tempBase =
                    Paths.get(
                            dirs.length > 0
                                    ? dirs[subtask % dirs.length]
                                    : System.getProperty("java.io.tmpdir"));
        }
        batcher =
                MessageBatcher.open(
                        plan,
                        tempBase,
                        subtask,
                        new OtterMetrics(getMetricGroup(), plan.modelNames()),
                        restoredMessageNumber);
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        OtterMessage message = reader.read(element.getValue());
        long now = getProcessingTimeService().getCurrentProcessingTime();
        Long timestamp = element.hasTimestamp() ? element.getTimestamp() : null;
        if (batcher.add(message, timestamp, now, this)) {
            cancelTimer();
        } else if (timer == null && plan.maxBatchDelayMillis() > 0) {
            timer =
                    getProcessingTimeService()
                            .registerTimer(now + plan.maxBatchDelayMillis(), t -> onTimer());
        }
    }

    private void onTimer() throws Exception {
        timer = null;
        flush();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // Buffered messages are older than the watermark: emit them first.
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (!batcher.isEmpty()) {
            throw new IllegalStateException(
                    "Otter transform: "
                            + batcher.bufferedMessages().size()
                            + " messages still buffered at checkpoint "
                            + context.getCheckpointId()
                            + "; they must be flushed before the barrier");
        }
        messageNumberState.update(Collections.singletonList(batcher.nextMessageNumber()));
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            cancelTimer();
            if (batcher != null) {
                batcher.close();
                batcher = null;
            }
        } finally {
            super.close();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void flush() throws Exception {
        cancelTimer();
        batcher.flush(this);
    }

    @Override
    public void row(int model, Row row, List<ColumnSchema> columns, Long timestamp) {
        if (shapedTags.isEmpty()) {
            output.collect(tags.get(model), record(row, timestamp));
        } else {
            output.collect(shapedTags.get(model), record(new ShapedRow(columns, row), timestamp));
        }
    }

    @Override
    public void deadLetter(OtterDeadLetter deadLetter, Long timestamp) {
        output.collect(record(deadLetter, timestamp));
    }

    private static <T> StreamRecord<T> record(T value, Long timestamp) {
        return timestamp == null ? new StreamRecord<>(value) : new StreamRecord<>(value, timestamp);
    }
}
