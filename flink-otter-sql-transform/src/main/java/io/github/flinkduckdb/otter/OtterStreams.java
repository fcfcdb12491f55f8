package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.RowToMap;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.types.Row;
import org.apache.flink.util.OutputTag;

import java.util.List;
import java.util.Map;

/**
 * The streams an {@link OtterTransform} produces: each model's rows ({@link #rows}, or {@link
 * #maps} for {@code DuckDBSink.forMaps}) and the dead letters ({@link #deadLetters}).
 */
@PublicEvolving
public final class OtterStreams {

    private final OtterTransform transform;
    private final SingleOutputStreamOperator<OtterDeadLetter> operator;
    private final Map<String, OutputTag<Row>> tags;
    private final Map<String, OutputTag<ShapedRow>> shapedTags;

    OtterStreams(
            OtterTransform transform,
            SingleOutputStreamOperator<OtterDeadLetter> operator,
            Map<String, OutputTag<Row>> tags,
            Map<String, OutputTag<ShapedRow>> shapedTags) {
        this.transform = transform;
        this.operator = operator;
        this.tags = tags;
        this.shapedTags = shapedTags;
    }

    /** The models' names, in order. */
    public List<String> modelNames() {
        return transform.modelNames();
    }

    /**
     * The rows of one model, typed with {@link #rowType(String)}; each row has the model's column
     * names (usable with {@code DuckDBSink.forRows}).
     *
     * @throws IllegalStateException for a transform without a declared incoming schema: use {@link
     *     #shapedRows}
     */
    public DataStream<Row> rows(String model) {
        return operator.getSideOutput(tag(model));
    }

    /**
     * The rows of one model with their columns: for a transform without a declared incoming schema
     * ({@link OtterTransform#isSchemaFree()}), whose model columns depend on each message's shape.
     *
     * @throws IllegalStateException for a transform with a declared incoming schema: use {@link
     *     #rows}
     */
    public DataStream<ShapedRow> shapedRows(String model) {
        if (!transform.isSchemaFree()) {
            throw new IllegalStateException(
                    "The transform has a declared incoming schema: its rows have the model's"
                            + " output schema; use rows(\""
                            + model
                            + "\")");
        }
        OtterTransform.checkModel(transform.modelNames(), model);
        return operator.getSideOutput(shapedTags.get(model));
    }

    /**
     * The rows of one model as column name to value (nested STRUCTs as maps, LISTs as lists), for
     * {@code DuckDBSink.forMaps}. The values travel with Kryo; prefer {@link #rows} where you can.
     */
    public DataStream<Map<String, Object>> maps(String model) {
        RowTypeInfo type = rowType(model);
        TypeInformation<Map<String, Object>> mapType =
                Types.MAP(Types.STRING, Types.GENERIC(Object.class));
        return rows(model)
                .map(new RowToMap(type.getFieldNames()))
                .returns(mapType)
                .name(transform.name() + ": " + model + " as maps");
    }

    /** The dead-letter records of all models and of unparseable messages. */
    public DataStream<OtterDeadLetter> deadLetters() {
        return operator;
    }

    /** The row type of one model. */
    public RowTypeInfo rowType(String model) {
        return (RowTypeInfo) tag(model).getTypeInfo();
    }

    /** The transform operator, e.g. to set its uid, name or parallelism. */
    public SingleOutputStreamOperator<OtterDeadLetter> operator() {
        return operator;
    }

    /** The side-output tag of one model. */
    public OutputTag<Row> tag(String model) {
        if (transform.isSchemaFree()) {
            throw new IllegalStateException(
                    "The transform types each message alone (no declared incoming schema), so a"
                            + " model's columns depend on the message: use shapedRows(\""
                            + model
                            + "\"), whose rows carry their columns");
        }
        OutputTag<Row> tag = tags.get(model);
        if (tag == null) {
            throw new IllegalArgumentException(
                    "No model named '" + model + "'; the models are " + tags.keySet());
        }
        return tag;
    }
}
