package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageReader;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

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

    private final OtterTransform transform;
    private final MessageReader<IN> reader;
    private final int mainModel;

    private transient FunctionRuntime runtime;

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
        return new OtterProcessFunction<>(transform, reader, transform.modelIndex(model));
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
        runtime = new FunctionRuntime(transform, mainModel, context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        runtime.open(getRuntimeContext());
    }

    @Override
    public void processElement(IN value, Context ctx, Collector<Row> out) throws Exception {
        OtterMessage message = reader.read(value);
        runtime.add(message, ctx.timestamp(), ctx.timerService().currentProcessingTime(), out, ctx);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        runtime.snapshot();
    }

    @Override
    public void close() throws Exception {
        if (runtime != null) {
            runtime.close(
                    "at the end of a bounded input they are not run: use OtterTransform.apply"
                            + " or keyedProcessFunction for bounded inputs");
        }
    }
}
