package io.github.flinkduckdb.otter.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code otter init <dir>}: a runnable project (the orders example) to start from. */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description =
                "Scaffolds a project: config (file source, Parquet + DuckDB sinks), the orders and"
                        + " purchases models, fixtures and a README. It runs as is: otter run.")
final class InitCommand implements Callable<Integer> {

    /** The files of a new project, copied from the orders example packed into the jar. */
    static final List<String> FILES =
            List.of(
                    "README.md",
                    "config/sources.yml",
                    "config/sinks.yml",
                    "config/models.yml",
                    "models/orders.sql",
                    "models/purchases.sql",
                    "fixtures/orders.jsonl",
                    "fixtures/sample_order.json");

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The new project's folder.")
    Path dir;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (Files.exists(dir) && !isEmptyDirectory(dir)) {
            throw new OtterCli.UsageException(
                    dir + " already exists and is not empty; choose a new folder");
        }
        for (String file : FILES) {
            Path target = dir.resolve(file);
            Files.createDirectories(target.getParent() == null ? dir : target.getParent());
            try (InputStream in = InitCommand.class.getResourceAsStream("/otter-init/" + file)) {
                if (in == null) {
                    throw new IOException("The project template is missing " + file);
                }
                Files.copy(in, target);
            }
            out.println("  created " + dir.resolve(file));
        }
        // Written here: jar packaging leaves dot-files out of the template.
        Files.writeString(dir.resolve(".gitignore"), "output/\n.otter/\n");
        out.println("  created " + dir.resolve(".gitignore"));
        out.println();
        out.println("Project ready. Next:");
        out.println("  cd " + dir);
        out.println("  otter validate");
        out.println("  otter test --fixture fixtures/sample_order.json");
        out.println("  otter run");
        return ExitCodes.OK;
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }
}
