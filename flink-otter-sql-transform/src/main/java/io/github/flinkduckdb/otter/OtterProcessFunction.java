package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageBatcher;
import io.github.flinkduckdb.otter.internal.MessageReader;
import io.github.flinkduckdb.otter.internal.OtterMetrics;
import io.github.flinkduckdb.otter.internal.TransformPlan;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An {@link OtterTransform} as a Flink {@link ProcessFunction}, for composing jobs with {@code
 * stream.process(otter.processFunction(String.class))}: the rows of one model (the first, or the
 * one {@link #withMainModel} names) are the main output, every other model's rows go to {@link
 * OtterTransform#outputTag(String)}, dead letters to {@link OtterTransform#deadLetterTag()}.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<Row> orders =
 *         messages.process(otter.processFunction(String.class)).uid("otter");
 * DataStream<Row> purchases = orders.getSideOutput(otter.outputTag("purchases"));
 * DataStream<OtterDeadLetter> deadLetters = orders.getSideOutput(otter.deadLetterTag());
 * }</pre>
 *
 * <p>Messages are micro-batched as in {@link OtterTransform#apply}: a batch runs when it holds
 * {@code maxBatchSize} messages or {@code maxBatchBytes} of bodies, or when a message arrives and
 * the oldest buffered one has waited {@code maxBatchDelay}. The buffer and the message numbering
 * are Flink operator state: a checkpoint keeps the buffered messages, and after a restore they run
 * in the next batch, so with a replayable source and an exactly-once sink a failure neither loses
 * nor duplicates rows. The rows equal those of {@code apply} and of every model run on every
 * message alone.
 *
 * <p>What a function cannot do, and {@link OtterTransform#apply} does: a non-keyed function has no
 * timers, so a partial batch waits for the next message (on an idle stream, indefinitely); it
 * cannot see the end of input, so on a bounded input the last partial batch is not run (it stays in
 * state); and the outputs of a batch carry the timestamp of the message that ran the batch, not
 * each its own. Use {@code apply} for bounded inputs and bounded latency.
 *
 * <p>The DuckDB is created in {@link #open(OpenContext)} and spills below the transform's {@code
 * duckdbTempDirectory} or {@code java.io.tmpdir}; metrics as the operator's, in group {@code
 * otter}.
 *
 * @param <IN> {@code byte[]} (JSON), {@code String} (JSON) or {@link OtterMessage}
 */
@PublicEvolving
public final class OtterProcessFunction<IN> extends ProcessFunction<IN, Row>
        implements CheckpointedFunction, ResultTypeQueryable<Row> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OtterProcessFunction.class);

    private final OtterTransform transform;
    private final MessageReader<IN> reader;
    private final int mainModel;

    private transient MessageBatcher batcher;
    private transient BufferState state;
    private transient Outputs outputs;

    OtterProcessFunction(OtterTransform transform, MessageReader<IN> reader, int mainModel) {
        this.transform = transform;
        this.reader = reader;
        this.mainModel = mainModel;
    }

    /**
     * The same function with {@code model}'s rows as the main output (the first model's rows then
     * go to its side output).
     */
    public OtterProcessFunction<IN> withMainModel(String model) {
        int index = transform.modelNames().indexOf(model);
        if (index < 0) {
            throw new IllegalArgumentException(
                    "No model named '" + model + "'; the models are " + transform.modelNames());
        }
        return new OtterProcessFunction<>(transform, reader, index);
    }

    /** The model whose rows are the main output. */
    public String mainModel() {
        return transform.modelNames().get(mainModel);
    }

    /** The main output's row type: the main model's. */
    @Override
    public TypeInformation<Row> getProducedType() {
        return transform.rowType(mainModel());
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state = new BufferState(context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        TransformPlan plan = transform.plan();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        // A function cannot reach the TaskManager's IOManager (its temporary folders).
        String tempBase =
                plan.duckdbSettings().tempDirectory() != null
                        ? plan.duckdbSettings().tempDirectory()
                        : System.getProperty("java.io.tmpdir");
        batcher =
                MessageBatcher.open(
                        plan,
                        Paths.get(tempBase),
                        subtask,
                        new OtterMetrics(getRuntimeContext().getMetricGroup(), plan.modelNames()),
                        state.restoredMessageNumber);
        batcher.restore(state.restoredMessages);
        if (!state.restoredMessages.isEmpty()) {
            LOG.info(
                    "Otter transform subtask {}: {} buffered messages restored from a checkpoint;"
                            + " they run in the next batch",
                    subtask,
                    state.restoredMessages.size());
        }
        state.restoredMessages = Collections.emptyList();
        outputs = new Outputs(transform, mainModel);
    }

    @Override
    public void processElement(IN value, Context ctx, Collector<Row> out) throws Exception {
        OtterMessage message = reader.read(value);
        outputs.context = ctx;
        outputs.out = out;
        batcher.add(message, ctx.timestamp(), ctx.timerService().currentProcessingTime(), outputs);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        // Nothing is flushed: the buffer is part of the checkpoint.
        state.snapshot(batcher.bufferedMessages(), batcher.nextMessageNumber());
    }

    @Override
    public void close() throws Exception {
        if (batcher != null) {
            if (!batcher.isEmpty()) {
                LOG.warn(
                        "Otter transform: closing with {} buffered messages not run. After a"
                                + " failure the last checkpoint holds them (or the source replays"
                                + " them); at the end of a bounded input they are not run: use"
                                + " OtterTransform.apply for bounded inputs.",
                        batcher.bufferedMessages().size());
            }
            batcher.close();
            batcher = null;
        }
    }

    /** The buffered messages and the next message number in operator state. */
    private static final class BufferState {
        private final ListState<OtterMessage> messages;
        private final ListState<Long> messageNumber;
        private List<OtterMessage> restoredMessages = new ArrayList<>();
        private long restoredMessageNumber;

        BufferState(FunctionInitializationContext context) throws Exception {
            messages =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "otter-buffered-messages",
                                            TypeInformation.of(OtterMessage.class)));
            messageNumber =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "otter-next-message-number", Long.class));
            if (context.isRestored()) {
                for (OtterMessage m : messages.get()) {
                    restoredMessages.add(m);
                }
                for (Long n : messageNumber.get()) {
                    restoredMessageNumber = Math.max(restoredMessageNumber, n);
                }
            }
        }

        void snapshot(List<OtterMessage> buffered, long nextMessageNumber) throws Exception {
            messages.update(new ArrayList<>(buffered));
            messageNumber.update(Collections.singletonList(nextMessageNumber));
        }
    }

    /** Sends a batch's outputs through the context of the message that ran it. */
    private static final class Outputs implements MessageBatcher.Output {
        private final int mainModel;
        private final List<OutputTag<Row>> tags = new ArrayList<>();
        private final OutputTag<OtterDeadLetter> deadLetterTag;
        private ProcessFunction<?, Row>.Context context;
        private Collector<Row> out;

        Outputs(OtterTransform transform, int mainModel) {
            this.mainModel = mainModel;
            for (String model : transform.modelNames()) {
                tags.add(transform.outputTag(model));
            }
            this.deadLetterTag = transform.deadLetterTag();
        }

        @Override
        public void row(int model, Row row, Long timestamp) {
            if (model == mainModel) {
                out.collect(row);
            } else {
                context.output(tags.get(model), row);
            }
        }

        @Override
        public void deadLetter(OtterDeadLetter deadLetter, Long timestamp) {
            context.output(deadLetterTag, deadLetter);
        }
    }
}
