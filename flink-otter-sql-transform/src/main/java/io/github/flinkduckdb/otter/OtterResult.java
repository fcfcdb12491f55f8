package io.github.flinkduckdb.otter;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the models made of one message: each model's rows (in the model's output schema, in the
 * order DuckDB produced them) and the message's dead-letter records. A model that failed for the
 * message has no rows and one dead-letter record.
 */
@PublicEvolving
public final class OtterResult {

    private final OtterMessage message;
    private final long messageNumber;
    private final List<List<Row>> rows;
    private final List<OtterDeadLetter> deadLetters = new ArrayList<>(0);
    private final boolean[] failed;

    OtterResult(OtterMessage message, long messageNumber, int models) {
        this.message = message;
        this.messageNumber = messageNumber;
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

    /** The rows of the model at {@code modelIndex} (the transform's model order). */
    public List<Row> rows(int modelIndex) {
        return Collections.unmodifiableList(rows.get(modelIndex));
    }

    /** The dead-letter records of this message, in model order ({@code parse} alone if any). */
    public List<OtterDeadLetter> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    /** Whether the message failed to parse (then no model ran). */
    public boolean isParseFailure() {
        return !deadLetters.isEmpty() && deadLetters.get(0).getStage() == OtterStage.PARSE;
    }

    void addRow(int model, Row row) {
        if (!failed[model]) {
            rows.get(model).add(row);
        }
    }

    boolean hasFailed(int model) {
        return failed[model];
    }

    void fail(int model, OtterDeadLetter deadLetter) {
        if (model >= 0) {
            if (failed[model]) {
                return;
            }
            failed[model] = true;
            rows.get(model).clear();
        }
        deadLetters.add(deadLetter);
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
