package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageReader;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * An {@link OtterTransform} as a {@link KeyedProcessFunction}, for a keyed stream: {@code
 * messages.keyBy(...).process(otter.keyedProcessFunction(String.class))}. Outputs, state and
 * results as {@link OtterProcessFunction}'s; what the keyed context adds is timers:
 *
 * <ul>
 *   <li>a processing-time timer, registered under the key of the message that starts a batch, runs
 *       the whole batch (all keys) once its oldest message has waited {@code maxBatchDelay}:
 *       latency is bounded on an idle stream too;
 *   <li>an event-time timer at {@code Long.MAX_VALUE} runs the buffer when the input ends (a
 *       bounded input's final watermark, or {@code stop --drain}): nothing stays behind.
 * </ul>
 *
 * <p>A batch spans keys: the key only decides which subtask a message goes to. {@code keyBy} costs
 * a network shuffle per message; {@link OtterTransform#apply} needs none and also flushes before
 * every checkpoint barrier and watermark. Outputs carry the timestamp Flink gives the call that ran
 * the batch (the message's, or the timer's: {@code Long.MAX_VALUE} at the end of input). Streaming
 * execution mode only: in batch mode Flink fires timers per key.
 *
 * @param <K> the key type
 * @param <IN> {@code byte[]} (JSON), {@code String} (JSON) or {@link OtterMessage}
 */
@PublicEvolving
public final class OtterKeyedProcessFunction<K, IN> extends KeyedProcessFunction<K, IN, Row>
        implements CheckpointedFunction, ResultTypeQueryable<Row> {

    private static final long serialVersionUID = 1L;

    private final OtterTransform transform;
    private final MessageReader<IN> reader;
    private final int mainModel;

    private transient FunctionRuntime runtime;
    private transient boolean batchTimerSet;
    private transient boolean endTimerSet;

    OtterKeyedProcessFunction(OtterTransform transform, MessageReader<IN> reader, int mainModel) {
        this.transform = transform;
        this.reader = reader;
        this.mainModel = mainModel;
    }

    /** The same function with {@code model}'s rows as the main output. */
    public OtterKeyedProcessFunction<K, IN> withMainModel(String model) {
        return new OtterKeyedProcessFunction<>(transform, reader, transform.modelIndex(model));
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
        long now = ctx.timerService().currentProcessingTime();
        if (runtime.add(message, ctx.timestamp(), now, out, ctx)) {
            batchTimerSet = false;
            return;
        }
        long delay = transform.plan().maxBatchDelayMillis();
        if (!batchTimerSet && delay > 0) {
            // Timers are not deleted (only the key that set one could): one that fires for a
            // batch that already ran finds the next batch not yet overdue and does nothing.
            ctx.timerService().registerProcessingTimeTimer(now + delay);
            batchTimerSet = true;
        }
        if (!endTimerSet) {
            // One per instance: it fires at the end of input whatever the buffer holds then.
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            endTimerSet = true;
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Row> out) throws Exception {
        boolean endOfInput = ctx.timeDomain() == TimeDomain.EVENT_TIME;
        if (endOfInput || runtime.batcher().isOverdue(ctx.timerService().currentProcessingTime())) {
            runtime.flush(out, ctx);
            batchTimerSet = false;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        runtime.snapshot();
    }

    @Override
    public void close() throws Exception {
        if (runtime != null) {
            runtime.close("in a job that ends normally the end-of-input timer has run them");
        }
    }
}
