package io.github.flinkduckdb.otter.project;

import java.io.Serializable;
import java.util.Map;
import java.util.Optional;

/**
 * {@code config/models.yml}: flush thresholds (defaults and per-model {@code overrides}) and the
 * declared shape of {@code incoming}.
 *
 * @param defaults thresholds for models without an override
 * @param overrides thresholds per model name
 * @param incomingSchema the declared {@code incoming} schema ({@code incoming.schema}), or null
 * @param incomingInferFrom a fixture to infer the schema from ({@code incoming.infer_from},
 *     absolute), or null
 */
public record ModelsConfig(
        FlushPolicy defaults,
        Map<String, FlushPolicy> overrides,
        String incomingSchema,
        String incomingInferFrom)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public ModelsConfig {
        overrides = Map.copyOf(overrides);
    }

    public FlushPolicy policy(String model) {
        return overrides.getOrDefault(model, defaults);
    }

    public Optional<String> declaredIncomingSchema() {
        return Optional.ofNullable(incomingSchema);
    }

    public Optional<String> inferFrom() {
        return Optional.ofNullable(incomingInferFrom);
    }
}
