package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.model.ModelAnalysis;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;

/**
 * How the engine runs one validated model: its public {@link ModelAnalysis} and, for a row-local
 * model, the batched form of its SQL (the model over the whole batch table, with the row id of each
 * row's message as last column, limited to the row ids between {@code $1} and {@code $2}).
 */
@Internal
public final class ModelPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ModelAnalysis analysis;
    private final String batchSql;

    public ModelPlan(ModelAnalysis analysis, String batchSql) {
        this.analysis = Objects.requireNonNull(analysis, "analysis");
        if (analysis.isRowLocal() != (batchSql != null)) {
            throw new IllegalArgumentException(
                    "Model "
                            + analysis.model().describe()
                            + ": a row-local model needs a batched form, and only it has one");
        }
        this.batchSql = batchSql;
    }

    public ModelAnalysis analysis() {
        return analysis;
    }

    public String name() {
        return analysis.name();
    }

    /** The batched form of a row-local model; empty for a model that runs per message. */
    public Optional<String> batchSql() {
        return Optional.ofNullable(batchSql);
    }
}
