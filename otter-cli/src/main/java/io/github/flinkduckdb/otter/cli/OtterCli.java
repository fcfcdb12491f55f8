package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.model.OtterModelException;
import io.github.flinkduckdb.otter.project.ConfigException;
import io.github.flinkduckdb.otter.runner.ModelSelection;
import io.github.flinkduckdb.otter.runner.OtterRun;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code otter} command: Otter projects (streaming SQL models over an {@code incoming} table)
 * run as Flink jobs. See {@code docs/otter-runner.md}.
 */
@Command(
        name = "otter",
        mixinStandardHelpOptions = true,
        versionProvider = OtterCli.Version.class,
        description =
                "Streaming SQL models on Flink: RabbitMQ, Kafka or files -> DuckDB SQL -> Parquet and DuckDB.",
        subcommands = {
            InitCommand.class,
            ValidateCommand.class,
            TestCommand.class,
            ModelsCommand.class,
            RunCommand.class,
            DlqCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "All commands:",
            "  otter init <dir>                         scaffold a project",
            "  otter validate [--config d] [--models d] check config and models; connects nowhere",
            "  otter test --fixture f.json [--model m] [--json]",
            "                                           each model's rows for a fixture",
            "  otter models list [--models d] [--json]  names, files, row-local or not, schema",
            "  otter run [--model m] [--dry-run] [--log-json] [--log-level L] [--config d]",
            "            [--jobmanager host:port] [--parallelism n] [--checkpoint-interval d]",
            "                                           run the pipeline (embedded Flink by default)",
            "  otter dlq inspect [--limit N]            show dead letters; they stay in the DLQ",
            "  otter dlq replay [--target queue]        move dead letters back, each exactly once",
            "",
            "Exit codes: 0 ok, 1 job failed, 2 usage, 3 bad config, 4 model error or unknown model,",
            "5 file not found, 6 broker unavailable."
        })
public final class OtterCli {

    @Option(
            names = {"-p", "--project"},
            description = "The project folder (default: the current folder).",
            defaultValue = ".",
            scope = CommandLine.ScopeType.INHERIT)
    Path project;

    @Option(
            names = "--var",
            paramLabel = "NAME=VALUE",
            description =
                    "Sets a variable for ${NAME} in the config, ahead of the environment (repeatable).",
            scope = CommandLine.ScopeType.INHERIT)
    Map<String, String> vars = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command line as {@code main} does, with the given output streams; the exit code. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new OtterCli());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    int code = exitCode(e);
                    err.println("otter: " + message(e));
                    if (code == ExitCodes.FAILED && !(e instanceof OtterRun.JobFailedException)) {
                        e.printStackTrace(err);
                    }
                    err.flush();
                    return code;
                });
        cli.setExitCodeExceptionMapper(ExitCodesMapper.INSTANCE);
        return cli.execute(args);
    }

    static int exitCode(Throwable e) {
        if (e instanceof ConfigException) {
            return ExitCodes.CONFIG;
        }
        if (e instanceof OtterModelException || e instanceof ModelSelection.UnknownModelException) {
            return ExitCodes.MODEL;
        }
        if (e instanceof NoSuchFileException || e instanceof NotFoundException) {
            return ExitCodes.NOT_FOUND;
        }
        if (e instanceof UnavailableException) {
            return ExitCodes.UNAVAILABLE;
        }
        if (e instanceof UsageException || e instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILED;
    }

    static String message(Throwable e) {
        if (e instanceof ConfigException) {
            return "config error: " + e.getMessage();
        }
        if (e instanceof OtterModelException) {
            return "model error: " + e.getMessage();
        }
        if (e instanceof ModelSelection.UnknownModelException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            NoSuchFileException n = (NoSuchFileException) e;
            return (n.getReason() == null ? "file not found" : n.getReason()) + ": " + n.getFile();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Picocli's own exit codes for exceptions it maps (usage errors: 2). */
    enum ExitCodesMapper implements CommandLine.IExitCodeExceptionMapper {
        INSTANCE;

        @Override
        public int getExitCode(Throwable exception) {
            return exitCode(exception);
        }
    }

    /** A file the user named does not exist. */
    static final class NotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFoundException(String message) {
            super(message);
        }
    }

    /** A broker cannot be reached, or its queue or topic does not exist. */
    static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Options that do not fit together. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = OtterCli.class.getPackage().getImplementationVersion();
            return new String[] {"otter " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (Flink 1.20)"};
        }
    }
}
