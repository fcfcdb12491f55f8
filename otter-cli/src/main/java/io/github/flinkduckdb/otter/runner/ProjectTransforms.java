package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.OtterTransformBuilder;
import io.github.flinkduckdb.otter.model.OtterModelException;
import io.github.flinkduckdb.otter.project.ConfigException;
import io.github.flinkduckdb.otter.project.Fixtures;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.project.YamlNode;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds the {@link OtterTransform} of a project: its models, the declared (or inferred) {@code
 * incoming} schema, the source's batch size and timeout. Building validates every model in DuckDB
 * without connecting anywhere.
 */
public final class ProjectTransforms {

    private ProjectTransforms() {}

    /**
     * @throws ConfigException when the incoming schema is missing or DuckDB rejects it
     * @throws OtterModelException when a model cannot run
     */
    public static OtterTransform build(OtterProject project) {
        OtterTransformBuilder builder =
                OtterTransform.builder().addModels(project.models()).name("Otter models");
        if (project.source() != null) {
            builder.maxBatchSize(project.source().batchSize())
                    .maxBatchDelay(Duration.ofMillis(project.source().batchTimeoutMs()));
        }
        YamlNode incoming = project.modelsYaml().mapOrEmpty("incoming");
        if (project.modelsConfig().declaredIncomingSchema().isPresent()) {
            YamlNode at = incoming.required("schema");
            try {
                builder.incomingSchema(project.modelsConfig().incomingSchema());
            } catch (IllegalArgumentException e) {
                throw at.error("not a valid incoming schema: " + e.getMessage());
            }
        } else if (project.modelsConfig().inferFrom().isPresent()) {
            YamlNode at = incoming.required("infer_from");
            Path fixture = Path.of(project.modelsConfig().incomingInferFrom());
            List<String> samples;
            try {
                samples = Fixtures.read(fixture);
            } catch (IOException e) {
                throw at.error("cannot read the fixture " + fixture + ": " + e.getMessage());
            }
            try {
                builder.incomingSchemaFromSamples(samples);
            } catch (IllegalArgumentException e) {
                throw at.error(
                        "cannot infer the incoming schema from " + fixture + ": " + e.getMessage());
            }
        }
        // Neither: each message is typed alone, as Otter does (a schema-free transform).
        try {
            return builder.build();
        } catch (OtterModelException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("incoming schema")) {
                YamlNode at =
                        incoming.get("schema")
                                .or(() -> incoming.get("infer_from"))
                                .orElse(incoming);
                throw at.error(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Where the {@code incoming} schema came from and its columns, for {@code otter validate} and
     * the run log: an inferred schema can be pinned by copying it into {@code incoming.schema}.
     */
    public static String describeIncoming(OtterProject project, OtterTransform transform) {
        if (transform.isSchemaFree()) {
            return "incoming (no incoming.schema): each message typed alone, as Otter does; each"
                    + " new message shape is logged so it can be pinned as incoming.schema";
        }
        String origin =
                project.modelsConfig()
                        .inferFrom()
                        .map(
                                f ->
                                        "inferred from "
                                                + OtterProject.display(project.root(), Path.of(f)))
                        .orElse("declared");
        return "incoming (" + origin + "): " + transform.incomingSchema().columnDefinitions();
    }
}
