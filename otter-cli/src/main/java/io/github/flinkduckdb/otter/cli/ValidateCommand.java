package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.project.RunSettings;
import io.github.flinkduckdb.otter.runner.ProjectChecks;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

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

    private static String file(OtterProject project, OtterModel m) {
        return m.origin()
                .map(o -> OtterProject.display(project.root(), java.nio.file.Path.of(o)))
                .orElse(m.name());
    }
}
