package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.model.IncomingSchema;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything the transform's runtime needs, fixed when the job is built: the incoming schema, the
 * models with their execution form, the in-process DuckDB's settings and the micro-batch limits.
 * Travels with the job graph to every operator instance.
 */
@Internal
public final class TransformPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final IncomingSchema incomingSchema;
    private final List<ModelPlan> models;
    private final DuckDBSettings duckdbSettings;
    private final int maxBatchSize;
    private final long maxBatchDelayMillis;
    private final long maxBatchBytes;
    private final int maxMessageBytes;
    private final JsonLimits jsonLimits;
    private final boolean microBatching;

    public TransformPlan(
            IncomingSchema incomingSchema,
            List<ModelPlan> models,
            DuckDBSettings duckdbSettings,
            int maxBatchSize,
            long maxBatchDelayMillis,
            long maxBatchBytes,
            int maxMessageBytes,
            JsonLimits jsonLimits,
            boolean microBatching) {
        this.incomingSchema = incomingSchema;
        this.models = Collections.unmodifiableList(new ArrayList<>(models));
        this.duckdbSettings = duckdbSettings;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchDelayMillis = maxBatchDelayMillis;
        this.maxBatchBytes = maxBatchBytes;
        this.maxMessageBytes = maxMessageBytes;
        this.jsonLimits = jsonLimits;
        this.microBatching = microBatching;
    }

    public IncomingSchema incomingSchema() {
        return incomingSchema;
    }

    /** The models, in order (the index of a model's rows in a {@link MessageOutcome}). */
    public List<ModelPlan> models() {
        return models;
    }

    /** The models' names, in order. */
    public List<String> modelNames() {
        List<String> names = new ArrayList<>(models.size());
        for (ModelPlan m : models) {
            names.add(m.name());
        }
        return names;
    }

    public DuckDBSettings duckdbSettings() {
        return duckdbSettings;
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

    /** Nesting, number and string limits of an incoming message. */
    public JsonLimits jsonLimits() {
        return jsonLimits;
    }

    /** Whether row-local models run once per micro-batch (else every model runs per message). */
    public boolean isMicroBatching() {
        return microBatching;
    }
}
