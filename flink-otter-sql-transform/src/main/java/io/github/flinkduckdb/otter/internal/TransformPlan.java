package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.OtterModel;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the transform's runtime needs, fixed when the job is built: the incoming schema, the
 * models with their execution form, the in-process DuckDB's settings and the micro-batch limits.
 * Travels with the job graph to every operator instance.
 *
 * <p>Without a declared incoming schema ({@link #isSchemaFree()}) the plan holds the models as
 * written; each message shape gets its own plan ({@link #forShape}) when the runtime first sees it.
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
    private final List<OtterModel> schemaFreeModels;
    private final Map<String, String> declaredOutputs;
    private final boolean batchByMessage;

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
        this(
                incomingSchema,
                Collections.unmodifiableList(new ArrayList<>(models)),
                null,
                Collections.emptyMap(),
                true,
                duckdbSettings,
                maxBatchSize,
                maxBatchDelayMillis,
                maxBatchBytes,
                maxMessageBytes,
                jsonLimits,
                microBatching);
    }

    private TransformPlan(
            IncomingSchema incomingSchema,
            List<ModelPlan> models,
            List<OtterModel> schemaFreeModels,
            Map<String, String> declaredOutputs,
            boolean batchByMessage,
            DuckDBSettings duckdbSettings,
            int maxBatchSize,
            long maxBatchDelayMillis,
            long maxBatchBytes,
            int maxMessageBytes,
            JsonLimits jsonLimits,
            boolean microBatching) {
        this.incomingSchema = incomingSchema;
        this.models = models;
        this.schemaFreeModels = schemaFreeModels;
        this.declaredOutputs = declaredOutputs;
        this.batchByMessage = batchByMessage;
        this.duckdbSettings = duckdbSettings;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchDelayMillis = maxBatchDelayMillis;
        this.maxBatchBytes = maxBatchBytes;
        this.maxMessageBytes = maxMessageBytes;
        this.jsonLimits = jsonLimits;
        this.microBatching = microBatching;
    }

    /**
     * A plan without an incoming schema: each message is typed alone ({@link
     * IncomingSchema#inferFromMessage}) and the models are analyzed for each shape at run time.
     *
     * @param declaredOutputs declared output schemas by model name
     */
    public static TransformPlan schemaFree(
            List<OtterModel> models,
            Map<String, String> declaredOutputs,
            boolean batchByMessage,
            DuckDBSettings duckdbSettings,
            int maxBatchSize,
            long maxBatchDelayMillis,
            long maxBatchBytes,
            int maxMessageBytes,
            JsonLimits jsonLimits,
            boolean microBatching) {
        return new TransformPlan(
                null,
                Collections.emptyList(),
                Collections.unmodifiableList(new ArrayList<>(models)),
                Collections.unmodifiableMap(new HashMap<>(declaredOutputs)),
                batchByMessage,
                duckdbSettings,
                maxBatchSize,
                maxBatchDelayMillis,
                maxBatchBytes,
                maxMessageBytes,
                jsonLimits,
                microBatching);
    }

    /** The plan of one message shape of a schema-free plan, with the models analyzed for it. */
    public TransformPlan forShape(IncomingSchema shape, List<ModelPlan> shapeModels) {
        return new TransformPlan(
                shape,
                shapeModels,
                duckdbSettings,
                maxBatchSize,
                maxBatchDelayMillis,
                maxBatchBytes,
                maxMessageBytes,
                jsonLimits,
                microBatching);
    }

    /** Whether no incoming schema was declared: each message is typed alone. */
    public boolean isSchemaFree() {
        return schemaFreeModels != null;
    }

    /** The models as written (a schema-free plan). */
    public List<OtterModel> schemaFreeModels() {
        return schemaFreeModels == null ? Collections.emptyList() : schemaFreeModels;
    }

    /** The declared output schema of a model (column definitions), or null. */
    public String declaredOutput(String model) {
        return declaredOutputs.get(model);
    }

    /** Whether models that are not row-local run batched by message when they can. */
    public boolean batchByMessage() {
        return batchByMessage;
    }

    /** The declared incoming schema; null for a schema-free plan. */
    public IncomingSchema incomingSchema() {
        return incomingSchema;
    }

    /**
     * The models, in order (the index of a model's rows in a {@link MessageOutcome}); empty for a
     * schema-free plan.
     */
    public List<ModelPlan> models() {
        return models;
    }

    /** The models' names, in order. */
    public List<String> modelNames() {
        List<String> names = new ArrayList<>();
        if (schemaFreeModels != null) {
            for (OtterModel m : schemaFreeModels) {
                names.add(m.name());
            }
            return names;
        }
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
