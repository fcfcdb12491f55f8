package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.OtterEngine;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.OtterResult;
import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.Fixtures;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.runner.ModelSelection;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code otter test --fixture f.json}: each model's rows for sample messages. */
@Command(
        name = "test",
        mixinStandardHelpOptions = true,
        description =
                "Runs the models on a fixture (one JSON object, a JSON array or JSON lines) and"
                        + " prints each model's rows and the dead letters. No queue needed.")
final class TestCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ProjectOptions options;

    @Option(
            names = "--fixture",
            required = true,
            paramLabel = "FILE",
            description = "Sample messages.")
    Path fixture;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "Only this model (name or models/<name>.sql); repeatable.")
    List<String> models = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        OtterCli root = (OtterCli) spec.root().userObject();
        OtterProject project = ModelSelection.select(options.load(root, true), models);
        Path file = resolve(fixture, project);
        List<String> samples = Fixtures.read(file);
        OtterTransform transform = ProjectTransforms.build(project);
        List<OtterMessage> messages = new ArrayList<>();
        for (String s : samples) {
            messages.add(
                    new OtterMessage(
                            s.getBytes(StandardCharsets.UTF_8), file.toString(), null, null, null));
        }
        List<OtterResult> results;
        try (OtterEngine engine = transform.openEngine()) {
            results = engine.process(messages, 1);
        }
        print(transform, results, json, spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    static void print(
            OtterTransform transform,
            List<OtterResult> results,
            boolean json,
            java.io.PrintWriter writer)
            throws java.io.IOException {
        RowPrinter printer = new RowPrinter(transform);
        if (json) {
            writer.println(printer.json(results));
        } else {
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
            printer.table(results, ps);
            writer.print(buf.toString(StandardCharsets.UTF_8));
        }
        writer.flush();
    }

    /** As given (relative to the current folder), else relative to the project. */
    static Path resolve(Path file, OtterProject project) throws NoSuchFileException {
        if (Files.isRegularFile(file)) {
            return file;
        }
        Path inProject = project.root().resolve(file);
        if (Files.isRegularFile(inProject)) {
            return inProject;
        }
        throw new NoSuchFileException(file.toString(), null, "fixture file not found");
    }
}
