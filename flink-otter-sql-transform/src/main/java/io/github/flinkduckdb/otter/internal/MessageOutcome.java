package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.OtterStage;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the models made of one message, filled in while a batch runs: each model's rows and the
 * message's dead-letter records. A model that failed for the message keeps no rows and exactly one
 * dead-letter record, whatever else it produced before or after the failure was seen.
 */
@Internal
public final class MessageOutcome {

    private final OtterMessage message;
    private final long messageNumber;
    private final int subtask;
    private final List<List<Row>> rows;
    private final List<OtterDeadLetter> deadLetters = new ArrayList<>(0);
    private final boolean[] failed;
    private final IncomingSchema schema;
    private final List<ModelAnalysis> analyses;

    /**
     * @param schema the schema the message was typed with (declared, or its own shape), or null
     *     when it has none (it did not parse)
     * @param analyses the models as analyzed for that schema, or null with {@code schema}
     */
    MessageOutcome(
            OtterMessage message,
            long messageNumber,
            int subtask,
            int models,
            IncomingSchema schema,
            List<ModelAnalysis> analyses) {
        this.message = message;
        this.messageNumber = messageNumber;
        this.subtask = subtask;
        this.schema = schema;
        this.analyses = analyses;
        this.rows = new ArrayList<>(models);
        for (int i = 0; i < models; i++) {
            rows.add(new ArrayList<>(1));
        }
        this.failed = new boolean[models];
    }

    public OtterMessage message() {
        return message;
    }

    public long messageNumber() {
        return messageNumber;
    }

    /** The rows of the model at {@code modelIndex}. */
    public List<Row> rows(int modelIndex) {
        return Collections.unmodifiableList(rows.get(modelIndex));
    }

    /**
     * The schema the message was typed with: the declared incoming schema, or the message's own
     * shape when none was declared; null when the message did not parse.
     */
    public IncomingSchema schema() {
        return schema;
    }

    /**
     * The columns of the rows of the model at {@code modelIndex} for this message: the model's
     * output schema; without a declared incoming schema, the columns the model has for this
     * message's shape. Empty when the message did not parse or the model does not bind for it.
     */
    public List<ColumnSchema> columns(int modelIndex) {
        return analyses == null
                ? Collections.emptyList()
                : analyses.get(modelIndex).outputColumns();
    }

    /** The dead-letter records, in model order ({@code parse} alone if any). */
    public List<OtterDeadLetter> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    void addRow(int model, Row row) {
        if (!failed[model]) {
            rows.get(model).add(row);
        }
    }

    /** The message failed to parse or load: no model runs on it. */
    void failParse(String error) {
        deadLetters.add(deadLetter(OtterStage.PARSE, null, error));
    }

    /** The model at {@code model} failed for the message: its rows are dropped, once. */
    void failModel(int model, OtterStage stage, String modelName, String error) {
        if (failed[model]) {
            return;
        }
        failed[model] = true;
        rows.get(model).clear();
        deadLetters.add(deadLetter(stage, modelName, error));
    }

    private OtterDeadLetter deadLetter(OtterStage stage, String model, String error) {
        return OtterDeadLetter.of(message, messageNumber, subtask, stage, model, error);
    }

    /** Dead letters in model order, whatever order the models failed in. */
    void sortDeadLetters(List<String> modelNames) {
        if (deadLetters.size() > 1) {
            deadLetters.sort(
                    (a, b) ->
                            Integer.compare(
                                    a.getModel() == null ? -1 : modelNames.indexOf(a.getModel()),
                                    b.getModel() == null ? -1 : modelNames.indexOf(b.getModel())));
        }
    }
}
