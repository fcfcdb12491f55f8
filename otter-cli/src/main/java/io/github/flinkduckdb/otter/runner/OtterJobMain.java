package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.Durations;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry class of the job jar ({@code otter-cli-<version>-job.jar}), for {@code flink run}:
 *
 * <pre>
 * flink run -c io.github.flinkduckdb.otter.runner.OtterJobMain otter-cli-0.1.0-SNAPSHOT-job.jar \
 *     --project /shared/my-pipeline [--config dir] [--models dir] [--model orders.sql]... \
 *     [--checkpoint-interval 10s] [--state-dir /shared/otter-state]
 * </pre>
 *
 * The project is read where {@code flink run} runs; the paths in it (outputs, DLQ folder, file
 * source) must be reachable by the TaskManagers under the same names. Checkpointing, restart
 * strategy and state locations come from the cluster configuration unless given here; resuming is
 * {@code flink run -s <savepoint>}.
 */
public final class OtterJobMain {

    private OtterJobMain() {}

    public static void main(String[] args) throws Exception {
        Path project = null;
        Path config = null;
        Path models = null;
        List<String> only = new ArrayList<>();
        Duration interval = null;
        Path stateDir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--project":
                    project = Path.of(require(a, v));
                    i++;
                    break;
                case "--config":
                    config = Path.of(require(a, v));
                    i++;
                    break;
                case "--models":
                    models = Path.of(require(a, v));
                    i++;
                    break;
                case "--model":
                    only.add(require(a, v));
                    i++;
                    break;
                case "--checkpoint-interval":
                    interval = Durations.parse(require(a, v));
                    i++;
                    break;
                case "--state-dir":
                    stateDir = Path.of(require(a, v)).toAbsolutePath();
                    i++;
                    break;
                default:
                    throw new IllegalArgumentException(
                            "Unknown argument "
                                    + a
                                    + "; usage: --project <dir> [--config <dir>] [--models <dir>]"
                                    + " [--model <name>]... [--checkpoint-interval <d>]"
                                    + " [--state-dir <dir>]");
            }
        }
        if (project == null) {
            throw new IllegalArgumentException("--project <dir> is required");
        }
        OtterProject p = OtterProject.load(project, config, models, Interpolator.fromEnvironment());
        p = ModelSelection.select(p, only);
        OtterTransform transform = ProjectTransforms.build(p);
        for (String warning : ProjectChecks.check(p, transform)) {
            LoggerFactory.getLogger("otter").warn(warning);
        }
        Configuration conf = JobSetup.configuration(interval, stateDir, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (interval == null && !env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(RunOptions.DEFAULT_CHECKPOINT_INTERVAL.toMillis());
        }
        OtterPipeline.build(env, p, transform);
        env.execute("otter: " + p.name());
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
