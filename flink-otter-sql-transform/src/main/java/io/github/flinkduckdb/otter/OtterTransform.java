package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.DuckDBSettings;
import io.github.flinkduckdb.otter.internal.FlinkTypes;
import io.github.flinkduckdb.otter.internal.MessageReader;
import io.github.flinkduckdb.otter.internal.OtterTransformOperator;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.Internal;
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
 * checkpoint barrier, so with a replayable source and an exactly-once sink a failure neither loses
 * nor duplicates rows. See {@code docs/otter.md}.
 *
 * <p>Built (and validated) by {@link OtterTransformBuilder}; serializable, so it travels with the
 * job graph.
 */
@PublicEvolving
public final class OtterTransform implements Serializable {

    private static final long serialVersionUID = 1L;

    private final IncomingSchema incomingSchema;
    private final List<ModelAnalysis> models;
    private final DuckDBSettings duckdbSettings;
    private final int maxBatchSize;
    private final long maxBatchDelayMillis;
    private final long maxBatchBytes;
    private final int maxMessageBytes;
    private final boolean microBatching;
    private final String name;

    OtterTransform(
            IncomingSchema incomingSchema,
            List<ModelAnalysis> models,
            DuckDBSettings duckdbSettings,
            int maxBatchSize,
            long maxBatchDelayMillis,
            long maxBatchBytes,
            int maxMessageBytes,
            boolean microBatching,
            String name) {
        this.incomingSchema = incomingSchema;
        this.models = Collections.unmodifiableList(new ArrayList<>(models));
        this.duckdbSettings = duckdbSettings;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchDelayMillis = maxBatchDelayMillis;
        this.maxBatchBytes = maxBatchBytes;
        this.maxMessageBytes = maxMessageBytes;
        this.microBatching = microBatching;
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
        for (ModelAnalysis model : models) {
            tags.put(model.name(), outputTag(model.name()));
        }
        SingleOutputStreamOperator<OtterDeadLetter> out =
                messages.transform(
                        name, TypeInformation.of(OtterDeadLetter.class), createOperator(reader));
        return new OtterStreams(this, out, tags);
    }

    /**
     * The side-output tag of a model's rows, for use with {@code getSideOutput} on the operator
     * (what {@link OtterStreams#rows(String)} does).
     */
    public OutputTag<Row> outputTag(String modelName) {
        return new OutputTag<>("otter-model-" + modelName, rowType(modelName));
    }

    /** The operator, for a caller that wires it itself (and for operator tests). */
    @Internal
    public <IN> OtterTransformOperator<IN> createOperator(MessageReader<IN> reader) {
        List<OutputTag<Row>> tags = new ArrayList<>();
        for (ModelAnalysis model : models) {
            tags.add(outputTag(model.name()));
        }
        return new OtterTransformOperator<>(this, reader, tags);
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
        List<String> names = new ArrayList<>(models.size());
        for (ModelAnalysis m : models) {
            names.add(m.name());
        }
        return names;
    }

    /** The validated models with their output schemas and execution form, in order. */
    public List<ModelAnalysis> models() {
        return models;
    }

    /** One model's analysis. */
    public ModelAnalysis model(String modelName) {
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

    /** The declared shape of the messages. */
    public IncomingSchema incomingSchema() {
        return incomingSchema;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public long maxBatchDelayMillis() {
        return maxBatchDelayMillis;
    }

    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    /** Messages larger than this are dead letters (stage parse); 0 means no limit. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Whether row-local models run once per micro-batch (else every model runs per message). */
    public boolean isMicroBatching() {
        return microBatching;
    }

    /** The operator's name in the job graph. */
    public String name() {
        return name;
    }

    @Internal
    public DuckDBSettings duckdbSettings() {
        return duckdbSettings;
    }

    @Override
    public String toString() {
        return "OtterTransform{models="
                + modelNames()
                + ", incoming="
                + incomingSchema
                + ", maxBatchSize="
                + maxBatchSize
                + ", maxBatchDelayMillis="
                + maxBatchDelayMillis
                + ", microBatching="
                + microBatching
                + '}';
    }
}
