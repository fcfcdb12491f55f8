package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageBatcher;
import io.github.flinkduckdb.otter.internal.OtterMetrics;
import io.github.flinkduckdb.otter.internal.TransformPlan;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What both process functions share: the {@link MessageBatcher}, its buffer and message number in
 * operator state, and the outputs (one model on the main output, the others and the dead letters on
 * side outputs) through the context of the call that runs a batch.
 */
final class FunctionRuntime implements MessageBatcher.Output {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionRuntime.class);

    private final OtterTransform transform;
    private final int mainModel;
    private final List<OutputTag<Row>> tags = new ArrayList<>();
    private final OutputTag<OtterDeadLetter> deadLetterTag;
    private final ListState<OtterMessage> messagesState;
    private final ListState<Long> messageNumberState;
    private final List<OtterMessage> restoredMessages = new ArrayList<>();
    private long restoredMessageNumber;
    private MessageBatcher batcher;

    private Collector<Row> out;
    private ProcessFunction<?, Row>.Context context;
    private KeyedProcessFunction<?, ?, Row>.Context keyedContext;

    /** Registers (and restores) the state; call from {@code initializeState}. */
    FunctionRuntime(OtterTransform transform, int mainModel, FunctionInitializationContext context)
            throws Exception {
        this.transform = transform;
        this.mainModel = mainModel;
        for (String model : transform.modelNames()) {
            tags.add(transform.outputTag(model));
        }
        this.deadLetterTag = transform.deadLetterTag();
        messagesState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "otter-buffered-messages",
                                        TypeInformation.of(OtterMessage.class)));
        messageNumberState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>("otter-next-message-number", Long.class));
        if (context.isRestored()) {
            for (OtterMessage m : messagesState.get()) {
                restoredMessages.add(m);
            }
            for (Long n : messageNumberState.get()) {
                restoredMessageNumber = Math.max(restoredMessageNumber, n);
            }
        }
    }

    /**
     * Opens the DuckDB (spilling below the transform's temp directory or {@code java.io.tmpdir}: a
     * function cannot reach the TaskManager's IOManager) and puts the restored buffer back.
     */
    void open(RuntimeContext runtimeContext) throws Exception {
        TransformPlan plan = transform.plan();
        int subtask = runtimeContext.getTaskInfo().getIndexOfThisSubtask();
        String tempBase =
                plan.duckdbSettings().tempDirectory() != null
                        ? plan.duckdbSettings().tempDirectory()
                        : System.getProperty("java.io.tmpdir");
        batcher =
                MessageBatcher.open(
                        plan,
                        Paths.get(tempBase),
                        subtask,
                        new OtterMetrics(runtimeContext.getMetricGroup(), plan.modelNames()),
                        restoredMessageNumber);
        if (!restoredMessages.isEmpty()) {
            LOG.info(
                    "Otter transform subtask {}: {} buffered messages restored from a checkpoint;"
                            + " they run in the next batch",
                    subtask,
                    restoredMessages.size());
            batcher.restore(restoredMessages);
            restoredMessages.clear();
        }
    }

    MessageBatcher batcher() {
        return batcher;
    }

    /** Buffers a message; a batch that runs emits through {@code out} and {@code ctx}. */
    boolean add(
            OtterMessage message,
            Long timestamp,
            long now,
            Collector<Row> out,
            ProcessFunction<?, Row>.Context ctx)
            throws SQLException {
        this.out = out;
        this.context = ctx;
        this.keyedContext = null;
        return batcher.add(message, timestamp, now, this);
    }

    /** Buffers a message; a batch that runs emits through {@code out} and {@code ctx}. */
    boolean add(
            OtterMessage message,
            Long timestamp,
            long now,
            Collector<Row> out,
            KeyedProcessFunction<?, ?, Row>.Context ctx)
            throws SQLException {
        this.out = out;
        this.context = null;
        this.keyedContext = ctx;
        return batcher.add(message, timestamp, now, this);
    }

    /** Runs the buffered messages, emitting through a timer's {@code out} and {@code ctx}. */
    void flush(Collector<Row> out, KeyedProcessFunction<?, ?, Row>.Context ctx)
            throws SQLException {
        this.out = out;
        this.context = null;
        this.keyedContext = ctx;
        batcher.flush(this);
    }

    /** Nothing is flushed: the buffer is part of the checkpoint. */
    void snapshot() throws Exception {
        messagesState.update(new ArrayList<>(batcher.bufferedMessages()));
        messageNumberState.update(Collections.singletonList(batcher.nextMessageNumber()));
    }

    void close(String whatRunsTheRest) throws SQLException {
        if (batcher == null) {
            return;
        }
        if (!batcher.isEmpty()) {
            LOG.warn(
                    "Otter transform: closing with {} buffered messages not run. After a failure"
                            + " the last checkpoint holds them or the source replays them; {}",
                    batcher.bufferedMessages().size(),
                    whatRunsTheRest);
        }
        batcher.close();
        batcher = null;
    }

    @Override
    public void row(int model, Row row, List<ColumnSchema> columns, Long timestamp) {
        if (model == mainModel) {
            out.collect(row);
        } else {
            side(tags.get(model), row);
        }
    }

    @Override
    public void deadLetter(OtterDeadLetter deadLetter, Long timestamp) {
        side(deadLetterTag, deadLetter);
    }

    private <X> void side(OutputTag<X> tag, X value) {
        if (keyedContext != null) {
            keyedContext.output(tag, value);
        } else {
            context.output(tag, value);
        }
    }
}
