package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.dlq.DeadLetterHeaders;
import io.github.flinkduckdb.otter.dlq.DeadLetterMessage;
import io.github.flinkduckdb.otter.dlq.DeadLetterQueue;
import io.github.flinkduckdb.otter.project.OtterProject;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code otter dlq inspect} and {@code otter dlq replay}. */
@Command(
        name = "dlq",
        mixinStandardHelpOptions = true,
        description = "Commands about dead letters.",
        subcommands = {
            DlqCommand.Inspect.class,
            DlqCommand.Replay.class,
            CommandLine.HelpCommand.class
        })
final class DlqCommand {

    /** {@code otter dlq inspect [--limit N]}. */
    @Command(
            name = "inspect",
            mixinStandardHelpOptions = true,
            description =
                    "Shows dead letters, oldest first: stage, model, error and the original body."
                            + " Non-destructive: they stay in the DLQ, in order.")
    static final class Inspect implements Callable<Integer> {

        @Spec CommandSpec spec;
        @Mixin ProjectOptions options;

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "10",
                description = "At most N (default 10).")
        int limit;

        @Option(names = "--json", description = "One JSON object per dead letter.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            OtterCli root = (OtterCli) spec.root().userObject();
            OtterProject project = options.load(root, false);
            List<DeadLetterMessage> messages;
            try {
                messages = DeadLetterQueue.of(project.source()).inspect(Math.max(0, limit));
            } catch (IOException e) {
                throw new OtterCli.UnavailableException(e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                for (DeadLetterMessage m : messages) {
                    StringWriter w = new StringWriter();
                    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
                        g.writeStartObject();
                        g.writeStringField("position", m.position());
                        for (Map.Entry<String, String> h : m.headers().entrySet()) {
                            g.writeStringField(h.getKey(), h.getValue());
                        }
                        g.writeStringField("body", m.bodyText());
                        g.writeEndObject();
                    }
                    out.println(w);
                }
                out.flush();
                return ExitCodes.OK;
            }
            out.println(
                    messages.size()
                            + " dead letter(s) shown from "
                            + project.source().describeDeadLetters()
                            + (messages.size() == limit ? " (--limit " + limit + ")" : ""));
            for (DeadLetterMessage m : messages) {
                out.println();
                out.println(
                        "#"
                                + m.position()
                                + "  stage "
                                + m.header(DeadLetterHeaders.STAGE)
                                + (m.header(DeadLetterHeaders.MODEL).isEmpty()
                                        ? ""
                                        : "  model " + m.header(DeadLetterHeaders.MODEL)));
                out.println("  error: " + m.header(DeadLetterHeaders.ERROR));
                out.println("  body:  " + m.bodyText());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code otter dlq replay [--target queue]}. */
    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description =
                    "Moves the dead letters back to the source queue or topic (or --target), each"
                            + " exactly once, bodies unchanged. Fix the model first.")
    static final class Replay implements Callable<Integer> {

        @Spec CommandSpec spec;
        @Mixin ProjectOptions options;

        @Option(
                names = "--target",
                paramLabel = "QUEUE",
                description =
                        "Queue (RabbitMQ), topic (Kafka) or folder/file (file source); default:"
                                + " the source.")
        String target;

        @Override
        public Integer call() {
            OtterCli root = (OtterCli) spec.root().userObject();
            OtterProject project = options.load(root, false);
            DeadLetterQueue dlq = DeadLetterQueue.of(project.source());
            long moved;
            try {
                moved = dlq.replay(target);
            } catch (IOException e) {
                throw new OtterCli.UnavailableException(e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new OtterCli.UsageException(e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                    "replayed "
                            + moved
                            + " dead letter(s) from "
                            + project.source().describeDeadLetters()
                            + " to "
                            + (target != null ? target : dlq.defaultTarget()));
            out.flush();
            return ExitCodes.OK;
        }
    }
}
