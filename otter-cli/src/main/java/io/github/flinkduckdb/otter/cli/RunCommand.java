package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.OtterEngine;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.OtterResult;
import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.Durations;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.project.RunSettings;
import io.github.flinkduckdb.otter.runner.DryRun;
import io.github.flinkduckdb.otter.runner.ModelSelection;
import io.github.flinkduckdb.otter.runner.OtterPipeline;
import io.github.flinkduckdb.otter.runner.OtterRun;
import io.github.flinkduckdb.otter.runner.ProjectChecks;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;
import io.github.flinkduckdb.otter.runner.RunOptions;

import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code otter run}: the pipeline as a Flink job. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the project as a Flink job on an embedded MiniCluster, or on a remote cluster with"
                    + " --jobmanager. Rows become visible and messages are acknowledged at"
                    + " checkpoints. Ctrl-C or SIGTERM stops with a savepoint that publishes every"
                    + " Parquet row consumed; the next run resumes from it (or from the newest"
                    + " checkpoint of a run that was killed). Flags override config/run.yml."
        })
final class RunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ProjectOptions options;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "Run only this model (name or models/<name>.sql); repeatable.")
    List<String> models = new ArrayList<>();

    @Option(
            names = "--dry-run",
            description =
                    "Take one batch from the source, print the rows; write and acknowledge nothing.")
    boolean dryRun;

    @Option(
            names = "--log-json",
            negatable = true,
            description = "Log JSON lines (ECS) to standard error (run.yml: log_json).")
    Boolean logJson;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            description = "TRACE, DEBUG, INFO (default), WARN, ERROR (run.yml: log_level).")
    String logLevel;

    @Option(
            names = "--jobmanager",
            paramLabel = "HOST:PORT",
            description =
                    "Submit to this Flink cluster (its REST address) instead of running embedded.")
    String jobManager;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description =
                    "Parallelism of the source, models and sinks (default 1); a RabbitMQ source"
                            + " runs one consumer per parallel reader (run.yml: parallelism).")
    Integer parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            description =
                    "How often to checkpoint, e.g. 500ms, 10s, 1m (default 10s; run.yml:"
                            + " checkpoint_interval).")
    String checkpointInterval;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Checkpoints and savepoints (default <project>/.otter).")
    Path stateDir;

    @Option(names = "--fresh", description = "Start from scratch: ignore earlier checkpoints.")
    boolean fresh;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = "Resume from this savepoint or checkpoint.")
    String fromSavepoint;

    @Option(
            names = "--health-port",
            paramLabel = "PORT",
            description =
                    "Serve /readyz and /healthz on 127.0.0.1:PORT (default: off; run.yml:"
                            + " health_port).")
    Integer healthPort;

    @Option(
            names = "--progress-interval",
            paramLabel = "DURATION",
            description =
                    "How often to log the progress line (default 5s, 0 for never; run.yml:"
                            + " progress_interval).")
    String progressInterval;

    @Option(
            names = "--job-jar",
            paramLabel = "JAR",
            description =
                    "The jar shipped with --jobmanager (default: the -job.jar next to otter's).")
    Path jobJar;

    @Option(
            names = "--max-restarts",
            paramLabel = "N",
            description =
                    "Restarts after failures (backoff 0.5 s doubling to 30 s) before the run gives"
                            + " up and exits 1 (default 10; -1: never give up; run.yml:"
                            + " max_restarts).")
    Integer maxRestarts;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        OtterCli root = (OtterCli) spec.root().userObject();
        // Flags override config/run.yml, which overrides the defaults.
        RunSettings settings =
                RunSettings.read(
                        root.project, options.config, Interpolator.withOverrides(root.vars));
        Logging.configure(
                errStream(),
                parseLevel(RunSettings.pick(logLevel, settings.logLevel(), "INFO")),
                RunSettings.pick(logJson, settings.logJson(), false));
        int parallelism = RunSettings.pick(this.parallelism, settings.parallelism(), 1);
        if (parallelism < 1) {
            throw new OtterCli.UsageException("--parallelism must be at least 1");
        }
        if (fresh && fromSavepoint != null) {
            throw new OtterCli.UsageException("--fresh and --from-savepoint exclude each other");
        }
        Duration interval =
                checkpointInterval != null
                        ? duration("--checkpoint-interval", checkpointInterval)
                        : RunSettings.pick(
                                null,
                                settings.checkpointInterval(),
                                RunOptions.DEFAULT_CHECKPOINT_INTERVAL);
        if (interval.isZero()) {
            throw new OtterCli.UsageException("--checkpoint-interval must be positive");
        }
        Duration progress =
                progressInterval != null
                        ? duration("--progress-interval", progressInterval)
                        : RunSettings.pick(
                                null, settings.progressInterval(), Duration.ofSeconds(5));
        OtterProject project = ModelSelection.select(options.load(root, false), models);
        OtterTransform transform = ProjectTransforms.build(project);
        for (String warning : ProjectChecks.check(project, transform)) {
            LoggerFactory.getLogger("otter").warn(warning);
        }
        if (dryRun) {
            return dryRun(project, transform, out);
        }
        RunOptions run =
                new RunOptions(
                        interval,
                        parallelism,
                        jobManager,
                        (stateDir != null ? stateDir : project.root().resolve(".otter"))
                                .toAbsolutePath(),
                        fresh,
                        fromSavepoint,
                        RunSettings.pick(healthPort, settings.healthPort(), 0),
                        progress,
                        jobJar,
                        RunSettings.pick(maxRestarts, settings.maxRestarts(), 10));
        OtterRun.Summary summary = new OtterRun(project, transform, run, System.out).run();
        out.println("otter: job " + summary.jobId() + " " + summary.finalState());
        if (summary.cancelledBecause() != null) {
            out.println("  cancelled       no savepoint: " + summary.cancelledBecause());
        }
        if (summary.resumedFrom() != null) {
            out.println("  resumed from    " + summary.resumedFrom());
        }
        Map<String, Long> c = summary.counters();
        if (!c.isEmpty()) {
            out.println("  messages in     " + c.getOrDefault(OtterPipeline.MESSAGES_IN, 0L));
            for (String m : transform.modelNames()) {
                out.println(
                        "  rows "
                                + m
                                + " ".repeat(Math.max(1, 11 - m.length()))
                                + c.getOrDefault(OtterPipeline.rowsOut(m), 0L));
            }
            out.println("  dead letters    " + c.getOrDefault(OtterPipeline.DEAD_LETTERS, 0L));
        }
        if (summary.savepoint() != null) {
            out.println("  savepoint       " + summary.savepoint());
        }
        out.flush();
        return ExitCodes.OK;
    }

    private int dryRun(OtterProject project, OtterTransform transform, PrintWriter out)
            throws Exception {
        List<OtterMessage> batch;
        try {
            batch = DryRun.fetchOneBatch(project.source());
        } catch (IOException e) {
            throw new OtterCli.UnavailableException(e.getMessage(), e);
        }
        out.println(
                "dry run: "
                        + batch.size()
                        + " message(s) from "
                        + project.source().describe()
                        + "; nothing written, nothing acknowledged");
        out.println();
        List<OtterResult> results;
        try (OtterEngine engine = transform.openEngine()) {
            results = engine.process(batch, 1);
        }
        TestCommand.print(transform, results, false, out);
        return ExitCodes.OK;
    }

    private static org.apache.logging.log4j.Level parseLevel(String logLevel) {
        try {
            return Logging.parseLevel(logLevel);
        } catch (IllegalArgumentException e) {
            throw new OtterCli.UsageException("--log-level: " + e.getMessage());
        }
    }

    private static Duration duration(String option, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new OtterCli.UsageException(option + ": " + e.getMessage());
        }
    }

    private PrintStream errStream() {
        return new PrintStream(
                new WriterOutputStream(spec.commandLine().getErr()),
                true,
                java.nio.charset.StandardCharsets.UTF_8);
    }
}
