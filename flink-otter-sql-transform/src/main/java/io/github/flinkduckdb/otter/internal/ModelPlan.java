package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.otter.model.OtterModel;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;

/**
 * How the engine runs one validated model: its public {@link ModelAnalysis} and, for a model that
 * runs batched, the batched form of its SQL (over the batch table's messages with row ids between
 * {@code $1} and {@code $2}, with the row id of each row's message as last column): the model over
 * the whole range for a row-local model, or the model for each message of the range (a lateral
 * subquery) for one that is not.
 */
@Internal
public final class ModelPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ModelAnalysis analysis;
    private final String batchSql;
    private final String unboundError;

    public ModelPlan(ModelAnalysis analysis, String batchSql) {
        this(analysis, batchSql, null);
    }

    private ModelPlan(ModelAnalysis analysis, String batchSql, String unboundError) {
        this.analysis = Objects.requireNonNull(analysis, "analysis");
        if (analysis.runsBatched() != (batchSql != null)) {
            throw new IllegalArgumentException(
                    "Model "
                            + analysis.model().describe()
                            + ": a model that runs batched needs a batched form, and only it has"
                            + " one");
        }
        this.batchSql = batchSql;
        this.unboundError = unboundError;
    }

    /**
     * A model that does not bind against one message shape of a schema-free transform: run on a
     * message of that shape it fails with {@code error}, as it does on that message alone.
     */
    public static ModelPlan unbound(OtterModel model, String error) {
        return new ModelPlan(
                new ModelAnalysis(
                        model,
                        Collections.emptyList(),
                        null,
                        "it does not bind against this message shape",
                        null,
                        false),
                null,
                Objects.requireNonNull(error, "error"));
    }

    /** DuckDB's error binding the model against this message shape; empty when it binds. */
    public Optional<String> unboundError() {
        return Optional.ofNullable(unboundError);
    }

    public ModelAnalysis analysis() {
        return analysis;
    }

    public String name() {
        return analysis.name();
    }

    /** The batched form of the model; empty for a model that runs per message. */
    public Optional<String> batchSql() {
        return Optional.ofNullable(batchSql);
    }
}
