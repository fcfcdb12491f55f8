package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.project.ParquetOutputConfig;
import io.github.flinkduckdb.otter.project.YamlNode;
import io.github.flinkduckdb.schema.ColumnSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks that need the models: every model named in the configuration exists, and every column
 * named for partitioning or de-duplication is an output column of its model. Errors and warnings
 * point at the YAML key.
 */
public final class ProjectChecks {

    private ProjectChecks() {}

    /**
     * @return warnings: settings that work but may not do what was meant (a {@code dedupe_key} that
     *     cannot identify a row of a model that yields several rows per message)
     * @throws io.github.flinkduckdb.otter.project.ConfigException at the first problem
     */
    public static List<String> check(OtterProject project, OtterTransform transform) {
        List<String> warnings = new ArrayList<>();
        List<String> models = project.allModels().stream().map(m -> m.name()).toList();
        List<String> running = transform.modelNames();
        YamlNode overrides = project.modelsYaml().mapOrEmpty("overrides");
        for (String model : overrides.keys()) {
            requireModel(overrides.required(model), model, models, project);
        }
        YamlNode sinks = sinksSection(project);
        Optional<ParquetOutputConfig> parquet = project.sinks().parquetOutput();
        if (parquet.isPresent()) {
            YamlNode p = sinks.mapOrEmpty("parquet");
            for (String key : List.of("partition_by", "dedupe_key")) {
                Optional<YamlNode> node = p.get(key);
                if (node.isEmpty()) {
                    continue;
                }
                if (node.get().isMap()) {
                    for (String model : node.get().keys()) {
                        YamlNode value = node.get().required(model);
                        requireModel(value, model, models, project);
                        if (running.contains(model) && !transform.isSchemaFree()) {
                            requireColumns(value, model, value.asStringList(), transform, key);
                        }
                    }
                } else if (!transform.isSchemaFree()) {
                    // Without incoming.schema the columns follow each message: partition columns
                    // are checked for each shape as it arrives.
                    for (String model : running) {
                        requireColumns(
                                node.get(), model, node.get().asStringList(), transform, key);
                        keyWarning(node.get(), model, node.get().asStringList(), transform, key)
                                .ifPresent(warnings::add);
                    }
                }
            }
        }
        if (project.sinks().duckdbOutput().isPresent()) {
            if (transform.isSchemaFree()) {
                throw sinks.required("duckdb")
                        .error(
                                "a DuckDB output needs a declared incoming schema (its tables"
                                        + " have fixed columns): add incoming.schema or"
                                        + " incoming.infer_from to "
                                        + project.modelsYaml().file()
                                        + ", or write Parquet only (its files follow each"
                                        + " message's shape)");
            }
            YamlNode tables = sinks.mapOrEmpty("duckdb").mapOrEmpty("tables");
            for (String model : tables.keys()) {
                requireModel(tables.required(model), model, models, project);
            }
        }
        return warnings;
    }

    /**
     * One {@code dedupe_key} for every model (Otter's form, e.g. {@code order_id}) comes from the
     * message, so it does not identify the rows of a model that yields several rows per message:
     * readers de-duplicating by it would drop rows. The writer keeps them all, so this is a
     * warning. A key given for the model itself is taken as chosen for it and not checked.
     */
    private static Optional<String> keyWarning(
            YamlNode at, String model, List<String> columns, OtterTransform transform, String key) {
        if (!key.equals("dedupe_key") || columns.isEmpty()) {
            return Optional.empty();
        }
        return transform
                .model(model)
                .severalRowsPerMessage()
                .map(
                        reason ->
                                at.warning(
                                        "dedupe_key "
                                                + columns
                                                + " may not identify a row of model '"
                                                + model
                                                + "': one message can yield several rows ("
                                                + reason
                                                + "), which then share the key. Every row is"
                                                + " written; readers that de-duplicate by this"
                                                + " key would drop rows. Add a column that tells"
                                                + " a message's rows apart, per model: {"
                                                + model
                                                + ": ["
                                                + String.join(", ", columns)
                                                + ", <column>]}"));
    }

    /** {@code sinks} or Otter's single {@code sink}. */
    private static YamlNode sinksSection(OtterProject project) {
        YamlNode root = project.sinksYaml();
        if (root.get("sinks").isPresent()) {
            return root.required("sinks");
        }
        YamlNode sink = root.required("sink");
        String type = sink.requiredString("type").trim().toLowerCase(Locale.ROOT);
        // Present the single sink as if it were sinks.<type>.
        return YamlNode.wrap(type, sink);
    }

    private static void requireModel(
            YamlNode at, String model, List<String> models, OtterProject project) {
        if (!models.contains(model)) {
            throw at.error(
                    "no model named '"
                            + model
                            + "' (the models in "
                            + OtterProject.display(project.root(), project.modelsDir())
                            + " are "
                            + String.join(", ", models)
                            + ")");
        }
    }

    private static void requireColumns(
            YamlNode at, String model, List<String> columns, OtterTransform transform, String key) {
        List<ColumnSchema> out = transform.outputSchema(model);
        for (String c : columns) {
            boolean found = out.stream().anyMatch(col -> col.name().equalsIgnoreCase(c.trim()));
            if (!found) {
                throw at.error(
                        key
                                + " names column '"
                                + c
                                + "', which model '"
                                + model
                                + "' does not have (its columns: "
                                + String.join(", ", out.stream().map(ColumnSchema::name).toList())
                                + ")");
            }
        }
        if (key.equals("partition_by") && columns.size() >= out.size()) {
            throw at.error(
                    "partition_by names every column of model '"
                            + model
                            + "'; a Parquet file needs at least one column that is not a partition key");
        }
    }
}
