package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;
import io.github.flinkduckdb.schema.ColumnSchema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code otter models list}. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "Commands about the project's models.",
        subcommands = {ModelsCommand.ListCommand.class, CommandLine.HelpCommand.class})
final class ModelsCommand {

    /** {@code otter models list}: names, files, execution form, output schema. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description =
                    "Lists the models: name, file, whether it is row-local (runs once per"
                            + " micro-batch) or runs per message and why, and its output columns.")
    static final class ListCommand implements Callable<Integer> {

        @Spec CommandSpec spec;
        @Mixin ProjectOptions options;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            OtterCli root = (OtterCli) spec.root().userObject();
            OtterProject project = options.load(root, true);
            OtterTransform transform = ProjectTransforms.build(project);
            PrintWriter out = spec.commandLine().getOut();
            if (transform.isSchemaFree()) {
                return schemaFree(project, out);
            }
            if (json) {
                StringWriter w = new StringWriter();
                try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
                    g.setPrettyPrinter(new DefaultPrettyPrinter());
                    g.writeStartArray();
                    for (ModelAnalysis m : transform.models()) {
                        g.writeStartObject();
                        g.writeStringField("name", m.name());
                        g.writeStringField("file", file(project, m));
                        g.writeBooleanField("row_local", m.isRowLocal());
                        g.writeBooleanField("batched", m.runsBatched());
                        g.writeStringField("per_message_reason", m.perMessageReason().orElse(null));
                        g.writeArrayFieldStart("columns");
                        for (ColumnSchema c : m.outputColumns()) {
                            g.writeStartObject();
                            g.writeStringField("name", c.name());
                            g.writeStringField("type", c.type().toSql());
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                out.println(w);
                return ExitCodes.OK;
            }
            for (ModelAnalysis m : transform.models()) {
                out.println(m.name() + "  " + file(project, m) + "  " + execution(m));
                int width = 0;
                for (ColumnSchema c : m.outputColumns()) {
                    width = Math.max(width, c.name().length());
                }
                for (ColumnSchema c : m.outputColumns()) {
                    out.println(
                            "    "
                                    + c.name()
                                    + " ".repeat(width - c.name().length() + 2)
                                    + c.type().toSql());
                }
                out.println();
            }
            out.println(transform.models().size() + " model(s)");
            return ExitCodes.OK;
        }

        /** Without incoming.schema a model's columns and form are known per message shape. */
        private Integer schemaFree(OtterProject project, PrintWriter out) throws Exception {
            String how =
                    "columns follow each message's shape (no incoming.schema: each message is"
                            + " typed alone; each shape is analyzed when it first arrives)";
            if (json) {
                StringWriter w = new StringWriter();
                try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
                    g.setPrettyPrinter(new DefaultPrettyPrinter());
                    g.writeStartArray();
                    for (OtterModel m : project.models()) {
                        g.writeStartObject();
                        g.writeStringField("name", m.name());
                        g.writeStringField("file", file(project, m));
                        g.writeBooleanField("schema_free", true);
                        g.writeNullField("columns");
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                out.println(w);
                return ExitCodes.OK;
            }
            for (OtterModel m : project.models()) {
                out.println(m.name() + "  " + file(project, m) + "  " + how);
            }
            out.println(project.models().size() + " model(s)");
            return ExitCodes.OK;
        }

        private static String file(OtterProject project, ModelAnalysis m) {
            return file(project, m.model());
        }

        private static String file(OtterProject project, OtterModel m) {
            return m.origin()
                    .map(o -> OtterProject.display(project.root(), Path.of(o)))
                    .orElse(m.name());
        }
    }

    /** How the model runs, e.g. {@code row-local (runs once per micro-batch)}. */
    static String execution(ModelAnalysis m) {
        if (m.isRowLocal()) {
            return "row-local (runs once per micro-batch)";
        }
        String reason = m.perMessageReason().orElse("not row-local");
        if (m.runsBatched()) {
            return "batched by message (runs once per micro-batch, each message's rows computed"
                    + " separately; not row-local: "
                    + reason
                    + ")";
        }
        return "per message (" + reason + ")";
    }
}
