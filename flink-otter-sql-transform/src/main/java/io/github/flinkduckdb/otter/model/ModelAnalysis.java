package io.github.flinkduckdb.otter.model;

import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What the transform knows about a validated model before the job runs: its output schema (the
 * columns DuckDB binds for the declared incoming schema, or the columns declared for the model) and
 * whether it runs batched (row-local, or by message) or once per message, with the reason. {@code
 * OtterTransform} describes each of its models with one; tools list them (e.g. {@code otter
 * models}).
 */
@PublicEvolving
public final class ModelAnalysis implements Serializable {

    private static final long serialVersionUID = 1L;

    private final OtterModel model;
    private final List<ColumnSchema> modelColumns;
    private final List<ColumnSchema> declaredColumns;
    private final String perMessageReason;
    private final String severalRowsReason;
    private final boolean batched;

    /**
     * Made by the transform's model validation.
     *
     * @param declaredColumns the declared output schema, or null when none was declared
     * @param perMessageReason why the model is not row-local, or null when it is
     * @param severalRowsReason why one message may yield several rows of the model, or null when it
     *     yields at most one
     * @param batched whether the model runs once per micro-batch (row-local, or computed for each
     *     message separately in one query)
     */
    @Internal
    public ModelAnalysis(
            OtterModel model,
            List<ColumnSchema> modelColumns,
            List<ColumnSchema> declaredColumns,
            String perMessageReason,
            String severalRowsReason,
            boolean batched) {
        this.model = model;
        this.modelColumns = Collections.unmodifiableList(new ArrayList<>(modelColumns));
        this.declaredColumns =
                declaredColumns == null
                        ? null
                        : Collections.unmodifiableList(new ArrayList<>(declaredColumns));
        this.perMessageReason = perMessageReason;
        this.severalRowsReason = severalRowsReason;
        this.batched = batched;
        if (perMessageReason == null && !batched) {
            throw new IllegalArgumentException(
                    "Model " + model.describe() + ": a row-local model runs batched");
        }
    }

    /** The model as given (name, SQL, file). */
    public OtterModel model() {
        return model;
    }

    /** The model's name. */
    public String name() {
        return model.name();
    }

    /**
     * The model's output schema: the declared columns when an output schema was declared for the
     * model, else the columns DuckDB binds. Every row the model emits has exactly these columns.
     */
    public List<ColumnSchema> outputColumns() {
        return declaredColumns != null ? declaredColumns : modelColumns;
    }

    /** The columns and types DuckDB binds for the model's SELECT. */
    public List<ColumnSchema> modelColumns() {
        return modelColumns;
    }

    /** Whether an output schema was declared for the model (rows are converted strictly to it). */
    public boolean hasDeclaredOutput() {
        return declaredColumns != null;
    }

    /**
     * Whether the model is row-local: each of its rows depends on one row of {@code incoming}
     * alone, so a micro-batch runs it as one plain query.
     */
    public boolean isRowLocal() {
        return perMessageReason == null;
    }

    /**
     * Whether the model runs once per micro-batch: row-local, or not row-local (aggregates, window
     * functions, ORDER BY / LIMIT, DISTINCT over a message's rows) but computed for each message
     * separately in one query, with the rows a run on that message alone gives. False when it runs
     * once per message (see {@link #perMessageReason()}).
     */
    public boolean runsBatched() {
        return batched;
    }

    /**
     * Why the model is not row-local; empty for row-local models. When {@link #runsBatched()} is
     * false, it also says why the model runs once per message.
     */
    public Optional<String> perMessageReason() {
        return Optional.ofNullable(perMessageReason);
    }

    /**
     * Why one message may yield several rows of this model (e.g. "it reads the table function
     * unnest"); empty when each message yields at most one row, so that a key taken from the
     * message identifies the model's row. Decided conservatively on the parse tree.
     */
    public Optional<String> severalRowsPerMessage() {
        return Optional.ofNullable(severalRowsReason);
    }

    @Override
    public String toString() {
        return "ModelAnalysis{"
                + model.describe()
                + ", "
                + (isRowLocal()
                        ? "row-local"
                        : (batched ? "batched by message: " : "per message: ") + perMessageReason)
                + ", columns="
                + outputColumns()
                + '}';
    }
}
