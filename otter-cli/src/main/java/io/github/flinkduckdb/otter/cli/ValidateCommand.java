package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.project.Fixtures;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.project.RunSettings;
import io.github.flinkduckdb.otter.runner.ProjectChecks;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code otter validate}: parses config and models; connects to nothing. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description =
                "Checks config/*.yml and every model (in a local DuckDB) without connecting to"
                        + " anything. Errors name file, key and line.")
final class ValidateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ProjectOptions options;

    @Override
    public Integer call() {
        OtterCli root = (OtterCli) spec.root().userObject();
        OtterProject project = options.load(root, false);
        RunSettings.read(root.project, options.config, Interpolator.withOverrides(root.vars));
        OtterTransform transform = ProjectTransforms.build(project);
        List<String> warnings = ProjectChecks.check(project, transform);
        PrintWriter out = spec.commandLine().getOut();
        String config = OtterProject.display(project.root(), project.configDir());
        out.println("ok  " + config + "/sources.yml  " + project.source().describe());
        out.println("    dead letters: " + project.source().describeDeadLetters());
        List<String> outputs = new ArrayList<>();
        project.sinks().parquetOutput().ifPresent(p -> outputs.add("Parquet under " + p.path()));
        project.sinks()
                .duckdbOutput()
                .ifPresent(
                        d ->
                                outputs.add(
                                        "DuckDB "
                                                + d.describe()
                                                + " ("
                                                + d.guarantee().text()
                                                + ")"));
        out.println("ok  " + config + "/sinks.yml    " + String.join(" and ", outputs));
        out.println(
                "ok  "
                        + config
                        + "/models.yml   "
                        + project.modelsConfig().overrides().size()
                        + " override(s)");
        out.println("    " + ProjectTransforms.describeIncoming(project, transform));
        if (transform.isSchemaFree()) {
            for (String line : fixtureShapes(project)) {
                out.println("    " + line);
            }
            for (OtterModel m : project.models()) {
                out.println(
                        "ok  "
                                + file(project, m)
                                + "  columns follow each message's shape (bound per shape while"
                                + " it runs)");
            }
        }
        for (ModelAnalysis m :
                transform.isSchemaFree() ? List.<ModelAnalysis>of() : transform.models()) {
            out.println(
                    "ok  "
                            + file(project, m.model())
                            + "  "
                            + (m.isRowLocal()
                                    ? "row-local"
                                    : m.runsBatched() ? "batched by message" : "per message")
                            + ", "
                            + m.outputColumns().size()
                            + " columns");
        }
        for (String warning : warnings) {
            out.println("warn " + warning);
        }
        out.println(
                "valid: "
                        + transform.modelNames().size()
                        + " model(s), source "
                        + project.source().type()
                        + ", "
                        + outputs.size()
                        + " output(s)");
        return ExitCodes.OK;
    }

    /**
     * Without incoming.schema: the shapes the fixtures' messages are typed with (one line per
     * distinct shape, at most three per file), ready to be pinned as incoming.schema.
     */
    static List<String> fixtureShapes(OtterProject project) {
        Path folder = project.root().resolve("fixtures");
        List<String> lines = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return lines;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files =
                    list.filter(
                                    f ->
                                            f.toString().endsWith(".json")
                                                    || f.toString().endsWith(".jsonl"))
                            .sorted()
                            .toList();
        } catch (IOException e) {
            return lines;
        }
        for (Path f : files) {
            Map<String, Integer> shapes = new LinkedHashMap<>();
            int messages;
            try {
                List<String> samples = Fixtures.read(f);
                messages = samples.size();
                for (String sample : samples) {
                    try {
                        shapes.merge(
                                IncomingSchema.inferFromMessage(
                                                sample.getBytes(StandardCharsets.UTF_8))
                                        .columnDefinitions(),
                                1,
                                Integer::sum);
                    } catch (IllegalArgumentException e) {
                        // A dead letter: no shape.
                    }
                }
            } catch (IOException e) {
                continue;
            }
            String name = OtterProject.display(project.root(), f);
            int shown = 0;
            for (Map.Entry<String, Integer> e : shapes.entrySet()) {
                if (shown++ == 3) {
                    lines.add("... " + (shapes.size() - 3) + " more shape(s) in " + name);
                    break;
                }
                lines.add(
                        "shape of "
                                + e.getValue()
                                + " of "
                                + messages
                                + " message(s) in "
                                + name
                                + ": "
                                + e.getKey());
            }
        }
        return lines;
    }

    private static String file(OtterProject project, OtterModel m) {
        return m.origin()
                .map(o -> OtterProject.display(project.root(), java.nio.file.Path.of(o)))
                .orElse(m.name());
    }
}
