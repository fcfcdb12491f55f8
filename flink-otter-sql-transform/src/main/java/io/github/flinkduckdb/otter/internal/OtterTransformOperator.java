package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterMessage;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Row;
import org.apache.flink.util.OutputTag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * The Flink operator of {@code OtterTransform}: one {@link MicroBatchRunner} (one in-process
 * DuckDB) per operator instance, created in {@link #open()} on the task thread.
 *
 * <p>Messages are buffered into micro-batches, flushed when the batch reaches its size or byte
 * limit, when the latency timer fires, before every checkpoint barrier ({@link
 * #prepareSnapshotPreBarrier}), before every watermark and at end of input: a checkpoint never
 * covers a buffered message, so none is lost on failure, and no output falls behind a watermark.
 * Each model's rows go to the model's side output, dead letters to the main output, both with the
 * timestamp of their message, in message order.
 */
@Internal
public final class OtterTransformOperator<IN> extends AbstractStreamOperator<OtterDeadLetter>
        implements OneInputStreamOperator<IN, OtterDeadLetter> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OtterTransformOperator.class);

    private final TransformPlan plan;
    private final MessageReader<IN> reader;
    private final List<OutputTag<Row>> tags;

    private transient MicroBatchRunner engine;
    private transient List<OtterMessage> buffer;
    private transient List<Long> timestamps;
    private transient long bufferedBytes;
    private transient ScheduledFuture<?> timer;
    private transient long nextMessageNumber;
    private transient ListState<Long> messageNumberState;

    private transient Counter messagesIn;
    private transient Counter deadLetters;
    private transient Counter[] deadLettersByStage;
    private transient Counter batches;
    private transient Counter batchedModelRuns;
    private transient Counter batchSplits;
    private transient Counter perMessageModelRuns;
    private transient Counter[] rowsOut;
    private transient Counter[] modelDeadLetters;

    public OtterTransformOperator(
            TransformPlan plan, MessageReader<IN> reader, List<OutputTag<Row>> tags) {
        this.plan = plan;
        this.reader = reader;
        this.tags = new ArrayList<>(tags);
        this.chainingStrategy = ChainingStrategy.ALWAYS;
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
        nextMessageNumber = next;
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
        engine = MicroBatchRunner.open(plan, tempBase, subtask);
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
        buffer = new ArrayList<>(plan.maxBatchSize());
        timestamps = new ArrayList<>(plan.maxBatchSize());

        MetricGroup group = getMetricGroup().addGroup("otter");
        messagesIn = group.counter("messagesIn");
        deadLetters = group.counter("deadLetters");
        deadLettersByStage =
                new Counter[] {
                    group.counter("deadLettersParse"),
                    group.counter("deadLettersTransform"),
                    group.counter("deadLettersConvert")
                };
        batches = group.counter("batches");
        batchedModelRuns = group.counter("batchedModelRuns");
        batchSplits = group.counter("batchSplits");
        perMessageModelRuns = group.counter("perMessageModelRuns");
        List<String> names = plan.modelNames();
        rowsOut = new Counter[names.size()];
        modelDeadLetters = new Counter[names.size()];
        for (int i = 0; i < names.size(); i++) {
            MetricGroup model = group.addGroup("model", names.get(i));
            rowsOut[i] = model.counter("rowsOut");
            modelDeadLetters[i] = model.counter("deadLetters");
        }
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        OtterMessage message = reader.read(element.getValue());
        buffer.add(message);
        timestamps.add(element.hasTimestamp() ? element.getTimestamp() : null);
        messagesIn.inc();
        byte[] payload = message.getPayload();
        bufferedBytes += payload == null ? 0 : payload.length;
        if (buffer.size() >= plan.maxBatchSize() || bufferedBytes >= plan.maxBatchBytes()) {
            flush();
        } else if (timer == null && plan.maxBatchDelayMillis() > 0) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
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
        if (!buffer.isEmpty()) {
            throw new IllegalStateException(
                    "Otter transform: "
                            + buffer.size()
                            + " messages still buffered at checkpoint "
                            + context.getCheckpointId()
                            + "; they must be flushed before the barrier");
        }
        messageNumberState.update(Collections.singletonList(nextMessageNumber));
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
            if (engine != null) {
                engine.close();
                engine = null;
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
        if (buffer.isEmpty()) {
            return;
        }
        long batchedBefore = engine.batchedRuns();
        long splitsBefore = engine.batchSplits();
        long perMessageBefore = engine.perMessageRuns();
        List<MessageOutcome> results = engine.process(buffer, nextMessageNumber);
        nextMessageNumber += buffer.size();
        batches.inc();
        batchedModelRuns.inc(engine.batchedRuns() - batchedBefore);
        batchSplits.inc(engine.batchSplits() - splitsBefore);
        perMessageModelRuns.inc(engine.perMessageRuns() - perMessageBefore);
        for (int i = 0; i < results.size(); i++) {
            MessageOutcome result = results.get(i);
            Long timestamp = timestamps.get(i);
            for (int m = 0; m < tags.size(); m++) {
                List<Row> rows = result.rows(m);
                for (Row row : rows) {
                    output.collect(tags.get(m), record(row, timestamp));
                }
                rowsOut[m].inc(rows.size());
            }
            for (OtterDeadLetter deadLetter : result.deadLetters()) {
                output.collect(record(deadLetter, timestamp));
                deadLetters.inc();
                deadLettersByStage[deadLetter.getStage().ordinal()].inc();
                if (deadLetter.getModel() != null) {
                    int m = engine.modelNames().indexOf(deadLetter.getModel());
                    if (m >= 0) {
                        modelDeadLetters[m].inc();
                    }
                }
            }
        }
        buffer.clear();
        timestamps.clear();
        bufferedBytes = 0;
    }

    private static <T> StreamRecord<T> record(T value, Long timestamp) {
        return timestamp == null ? new StreamRecord<>(value) : new StreamRecord<>(value, timestamp);
    }
}
