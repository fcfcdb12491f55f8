package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.model.ModelAnalysis;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
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

    public ModelPlan(ModelAnalysis analysis, String batchSql) {
        this.analysis = Objects.requireNonNull(analysis, "analysis");
        if (analysis.runsBatched() != (batchSql != null)) {
            throw new IllegalArgumentException(
                    "Model "
                            + analysis.model().describe()
                            + ": a model that runs batched needs a batched form, and only it has"
                            + " one");
        }
        this.batchSql = batchSql;
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
