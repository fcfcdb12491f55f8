package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageOutcome;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.types.Row;

import java.util.List;

/**
 * What the models made of one message: each model's rows (in the model's output schema, in the
 * order DuckDB produced them) and the message's dead-letter records. A model that failed for the
 * message has no rows and one dead-letter record.
 */
@PublicEvolving
public final class OtterResult {

    private final MessageOutcome outcome;

    OtterResult(MessageOutcome outcome) {
        this.outcome = outcome;
    }

    public OtterMessage message() {
        return outcome.message();
    }

    public long messageNumber() {
        return outcome.messageNumber();
    }

    /** The rows of the model at {@code modelIndex} (the transform's model order). */
    public List<Row> rows(int modelIndex) {
        return outcome.rows(modelIndex);
    }

    /**
     * The columns of {@link #rows(int)}: the model's output schema; for a transform without a
     * declared incoming schema, the columns the model has for this message's shape (empty when the
     * message did not parse or the model does not bind against it).
     */
    public List<ColumnSchema> columns(int modelIndex) {
        return outcome.columns(modelIndex);
    }

    /**
     * The schema the message was typed with: the declared incoming schema, or the message's own
     * shape for a transform without one; null when the message did not parse.
     */
    public IncomingSchema incomingSchema() {
        return outcome.schema();
    }

    /** The dead-letter records of this message, in model order ({@code parse} alone if any). */
    public List<OtterDeadLetter> deadLetters() {
        return outcome.deadLetters();
    }

    /** Whether the message failed to parse (then no model ran). */
    public boolean isParseFailure() {
        List<OtterDeadLetter> deadLetters = outcome.deadLetters();
        return !deadLetters.isEmpty() && deadLetters.get(0).getStage() == OtterStage.PARSE;
    }
}
