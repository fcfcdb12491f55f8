package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.FlinkTypes;
import io.github.flinkduckdb.otter.internal.MessageReader;
import io.github.flinkduckdb.otter.internal.ModelPlan;
import io.github.flinkduckdb.otter.internal.OtterTransformOperator;
import io.github.flinkduckdb.otter.internal.OtterTransformOperatorFactory;
import io.github.flinkduckdb.otter.internal.TransformPlan;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Row;
import org.apache.flink.util.OutputTag;

import java.io.IOException;
import java.io.Serializable;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Otter's streaming SQL models as a Flink transform: every message (JSON) is a one-row DuckDB table
 * named {@code incoming}, every model (a DuckDB SELECT over it) yields zero, one or many rows per
 * message, each model into its own stream with a fixed row schema, failures into a dead-letter
 * stream.
 *
 * <pre>{@code
 * OtterTransform otter = OtterTransform.builder()
 *         .addModelsFromDirectory(Paths.get("models"))
 *         .incomingSchema("order_id BIGINT, \"user\" STRUCT(id BIGINT, name VARCHAR), ...")
 *         .build();                                  // validates and describes the models
 * OtterStreams out = otter.apply(messages);          // DataStream<byte[]>
 * out.rows("orders").sinkTo(DuckDBSink.forRows(url, "orders").build());
 * out.deadLetters().sinkTo(dlqSink);
 * }</pre>
 *
 * <p>Guarantees: the rows of a model for a message are exactly those DuckDB returns when the model
 * runs on that message alone, whether the message was processed in a micro-batch or not; a value
 * that does not fit the declared incoming schema, a model failing for a message and a row that does
 * not fit the model's output schema each give a dead-letter record (the message's other models
 * still produce their rows); nothing is dropped silently; buffered messages are flushed before each
 * checkpoint barrier ({@link #apply}) or kept in Flink state ({@link #processFunction}, {@link
 * #keyedProcessFunction}), so with a replayable source and an exactly-once sink a failure neither
 * loses nor duplicates rows. See {@code docs/otter.md} for when to pick the operator or a function.
 *
 * <p>Built (and validated) by {@link OtterTransformBuilder}; serializable, so it travels with the
 * job graph.
 */
@PublicEvolving
public final class OtterTransform implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TransformPlan plan;
    private final List<ModelAnalysis> models;
    private final String name;

    OtterTransform(TransformPlan plan, String name) {
        this.plan = plan;
        List<ModelAnalysis> analyses = new ArrayList<>(plan.models().size());
        for (ModelPlan model : plan.models()) {
            analyses.add(model.analysis());
        }
        this.models = Collections.unmodifiableList(analyses);
        this.name = name;
    }

    /** A builder; see {@link OtterTransformBuilder} for every setting. */
    public static OtterTransformBuilder builder() {
        return new OtterTransformBuilder();
    }

    /** Runs the models on JSON messages given as bytes. */
    public OtterStreams apply(DataStream<byte[]> messages) {
        return applyWith(messages, MessageReader.bytes());
    }

    /** Runs the models on JSON messages given as text. */
    public OtterStreams applyToStrings(DataStream<String> messages) {
        return applyWith(messages, MessageReader.strings());
    }

    /**
     * Runs the models on messages that carry source metadata (queue or topic, partition, offset or
     * delivery tag), which the dead-letter records keep.
     */
    public OtterStreams applyToMessages(DataStream<OtterMessage> messages) {
        return applyWith(messages, MessageReader.messages());
    }

    private <IN> OtterStreams applyWith(DataStream<IN> messages, MessageReader<IN> reader) {
        Map<String, OutputTag<Row>> tags = new LinkedHashMap<>();
        Map<String, OutputTag<ShapedRow>> shapedTags = new LinkedHashMap<>();
        for (String model : modelNames()) {
            if (plan.isSchemaFree()) {
                shapedTags.put(model, shapedOutputTag(model));
            } else {
                tags.put(model, outputTag(model));
            }
        }
        SingleOutputStreamOperator<OtterDeadLetter> out =
                messages.transform(
                        name,
                        TypeInformation.of(OtterDeadLetter.class),
                        new OtterTransformOperatorFactory<>(createOperator(reader)));
        return new OtterStreams(this, out, tags, shapedTags);
    }

    /** The operator that runs the models (package-private: operator tests wire it themselves). */
    <IN> OtterTransformOperator<IN> createOperator(MessageReader<IN> reader) {
        List<OutputTag<Row>> tags = new ArrayList<>();
        List<OutputTag<ShapedRow>> shapedTags = new ArrayList<>();
        for (String model : modelNames()) {
            if (plan.isSchemaFree()) {
                shapedTags.add(shapedOutputTag(model));
            } else {
                tags.add(outputTag(model));
            }
        }
        return new OtterTransformOperator<>(plan, reader, tags, shapedTags);
    }

    /**
     * The side-output tag of a model's rows with their columns, for a transform without a declared
     * incoming schema (what {@link OtterStreams#shapedRows(String)} does).
     */
    public OutputTag<ShapedRow> shapedOutputTag(String modelName) {
        checkModel(modelNames(), modelName);
        return new OutputTag<>("otter-model-" + modelName, ShapedRow.typeInfo());
    }

    static void checkModel(List<String> names, String modelName) {
        if (!names.contains(modelName)) {
            throw new IllegalArgumentException(
                    "No model named '" + modelName + "'; the models are " + names);
        }
    }

    /**
     * The transform as a {@link org.apache.flink.streaming.api.functions.ProcessFunction} for
     * {@code stream.process(...)}: the first model's rows as the main output (see {@link
     * OtterProcessFunction#withMainModel}), the other models' rows on {@link #outputTag}, dead
     * letters on {@link #deadLetterTag()}. Its buffer is Flink state; unlike {@link #apply} it has
     * no latency timer and does not run the last partial batch of a bounded input (see {@link
     * OtterProcessFunction}).
     *
     * @param messageType {@code byte[].class} (JSON bytes), {@code String.class} (JSON text) or
     *     {@code OtterMessage.class} (with source metadata for the dead letters)
     */
    public <IN> OtterProcessFunction<IN> processFunction(Class<IN> messageType) {
        requireSchema("The Flink types of the models' rows");
        return new OtterProcessFunction<>(this, reader(messageType), 0);
    }

    /**
     * The transform as a {@link org.apache.flink.streaming.api.functions.KeyedProcessFunction} for
     * a keyed stream: as {@link #processFunction}, plus a latency timer and a flush at the end of
     * input (see {@link OtterKeyedProcessFunction}). A batch spans keys.
     *
     * @param messageType {@code byte[].class}, {@code String.class} or {@code OtterMessage.class}
     */
    public <K, IN> OtterKeyedProcessFunction<K, IN> keyedProcessFunction(Class<IN> messageType) {
        requireSchema("The Flink types of the models' rows");
        return new OtterKeyedProcessFunction<>(this, reader(messageType), 0);
    }

    /** The side-output tag of the process functions' dead letters. */
    public OutputTag<OtterDeadLetter> deadLetterTag() {
        return new OutputTag<>("otter-dead-letters", TypeInformation.of(OtterDeadLetter.class));
    }

    @SuppressWarnings("unchecked")
    private static <IN> MessageReader<IN> reader(Class<IN> messageType) {
        if (messageType == byte[].class) {
            return (MessageReader<IN>) MessageReader.bytes();
        }
        if (messageType == String.class) {
            return (MessageReader<IN>) MessageReader.strings();
        }
        if (messageType == OtterMessage.class) {
            return (MessageReader<IN>) MessageReader.messages();
        }
        throw new IllegalArgumentException(
                "Otter messages are byte[] (JSON), String (JSON) or OtterMessage, not "
                        + messageType.getName());
    }

    /**
     * The side-output tag of a model's rows, for use with {@code getSideOutput} on the operator
     * (what {@link OtterStreams#rows(String)} does).
     */
    public OutputTag<Row> outputTag(String modelName) {
        return new OutputTag<>("otter-model-" + modelName, rowType(modelName));
    }

    /** What the runtime (operator and engine) needs; not part of the API. */
    TransformPlan plan() {
        return plan;
    }

    /**
     * Opens an engine that runs the models without Flink (e.g. to print a fixture's rows); close it
     * when done.
     */
    public OtterEngine openEngine() throws SQLException, IOException {
        return OtterEngine.open(this);
    }

    /** The models' names, in order. */
    public List<String> modelNames() {
        return plan.modelNames();
    }

    /**
     * The validated models with their output schemas and execution form, in order.
     *
     * @throws IllegalStateException for a transform without a declared incoming schema ({@link
     *     #isSchemaFree()}): its models are analyzed for each message shape while it runs
     */
    public List<ModelAnalysis> models() {
        requireSchema("The models' output schemas");
        return models;
    }

    /**
     * Whether no incoming schema was declared: each message is typed alone, as Otter does, and a
     * model's columns depend on the message's shape. Such a transform runs in an {@link
     * OtterEngine} and as an operator ({@link #apply}: {@link OtterStreams#shapedRows} gives each
     * row with its columns); the process functions need a declared incoming schema.
     */
    public boolean isSchemaFree() {
        return plan.isSchemaFree();
    }

    private void requireSchema(String what) {
        if (plan.isSchemaFree()) {
            throw new IllegalStateException(
                    what
                            + " are known when the job is built only with a declared incoming"
                            + " schema; this transform types each message alone (no incoming"
                            + " schema), so a model's columns depend on the message. Declare it"
                            + " with OtterTransformBuilder#incomingSchema or"
                            + " #incomingSchemaFromSamples.");
        }
    }

    /** The index of a model in {@link #modelNames()}. */
    int modelIndex(String modelName) {
        checkModel(modelNames(), modelName);
        return modelNames().indexOf(modelName);
    }

    /** One model's analysis. */
    public ModelAnalysis model(String modelName) {
        modelIndex(modelName);
        requireSchema("Model '" + modelName + "': its output columns");
        for (ModelAnalysis m : models) {
            if (m.name().equals(modelName)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "No model named '" + modelName + "'; the models are " + modelNames());
    }

    /** A model's output columns (name and DuckDB type). */
    public List<ColumnSchema> outputSchema(String modelName) {
        return model(modelName).outputColumns();
    }

    /** The Flink row type of a model's output, known when the job is built. */
    public RowTypeInfo rowType(String modelName) {
        return rowType(model(modelName));
    }

    private static RowTypeInfo rowType(ModelAnalysis model) {
        return FlinkTypes.rowType(model.outputColumns());
    }

    /**
     * A {@code CREATE TABLE} statement for a table that takes a model's rows, e.g. for {@code
     * DuckDBSinkBuilder#setCreateTableSql}.
     *
     * @param table the table name, quoted as one identifier
     */
    public String createTableSql(String modelName, String table) {
        // "analytics.orders" is a schema and a table, as in the DuckDB sink's table names.
        io.github.flinkduckdb.schema.TableIdentifier id =
                io.github.flinkduckdb.schema.TableIdentifier.parse(table);
        StringBuilder sb = new StringBuilder();
        if (id.schema().isPresent() && !id.catalog().isPresent()) {
            sb.append("CREATE SCHEMA IF NOT EXISTS ")
                    .append(SqlIdentifiers.quote(id.schema().get()))
                    .append("; ");
        }
        sb.append("CREATE TABLE ").append(id.toSql()).append(" (");
        List<ColumnSchema> columns = outputSchema(modelName);
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            ColumnSchema c = columns.get(i);
            sb.append(SqlIdentifiers.quote(c.name())).append(' ').append(c.type().toSql());
            if (!c.nullable()) {
                sb.append(" NOT NULL");
            }
        }
        return sb.append(')').toString();
    }

    /** The declared shape of the messages; null for a schema-free transform. */
    public IncomingSchema incomingSchema() {
        return plan.incomingSchema();
    }

    /** Messages per micro-batch. */
    public int maxBatchSize() {
        return plan.maxBatchSize();
    }

    /** The longest a message waits in a partial batch; 0 when the timer is off. */
    public long maxBatchDelayMillis() {
        return plan.maxBatchDelayMillis();
    }

    /** A batch is flushed when its message bodies reach this many bytes. */
    public long maxBatchBytes() {
        return plan.maxBatchBytes();
    }

    /** Messages larger than this are dead letters (stage parse); 0 means no limit. */
    public int maxMessageBytes() {
        return plan.maxMessageBytes();
    }

    /** Whether row-local models run once per micro-batch (else every model runs per message). */
    public boolean isMicroBatching() {
        return plan.isMicroBatching();
    }

    /** The operator's name in the job graph. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "OtterTransform{models="
                + modelNames()
                + ", incoming="
                + (plan.isSchemaFree() ? "typed per message" : plan.incomingSchema())
                + ", maxBatchSize="
                + plan.maxBatchSize()
                + ", maxBatchDelayMillis="
                + plan.maxBatchDelayMillis()
                + ", microBatching="
                + plan.isMicroBatching()
                + '}';
    }
}
