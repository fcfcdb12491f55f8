package io.github.flinkduckdb.otter.project;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code config/run.yml}, optional: the project's values for {@code otter run}'s flags. A flag
 * given on the command line overrides its value here (as in Otter: {@code --log-level DEBUG} over
 * the file's {@code log_level}); a value set nowhere takes the flag's default. Null means not set.
 *
 * @param logLevel {@code log_level}: TRACE, DEBUG, INFO, WARN or ERROR
 * @param logJson {@code log_json}: JSON log lines
 * @param parallelism {@code parallelism}
 * @param checkpointInterval {@code checkpoint_interval}, positive
 * @param healthPort {@code health_port}: {@code /readyz} and {@code /healthz}, 0 for none
 * @param progressInterval {@code progress_interval}, zero for never
 * @param maxRestarts {@code max_restarts}, -1 for no bound
 */
public record RunSettings(
        String logLevel,
        Boolean logJson,
        Integer parallelism,
        Duration checkpointInterval,
        Integer healthPort,
        Duration progressInterval,
        Integer maxRestarts) {

    public static final String FILE = "run.yml";
    public static final RunSettings NONE =
            new RunSettings(null, null, null, null, null, null, null);

    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    /** Reads {@code <configDir>/run.yml}; {@link #NONE} when the file does not exist. */
    public static RunSettings read(Path projectRoot, Path configDir, Interpolator interpolator) {
        Path root = projectRoot.toAbsolutePath().normalize();
        Path file =
                (configDir == null ? root.resolve("config") : configDir.toAbsolutePath())
                        .resolve(FILE);
        if (!Files.exists(file)) {
            return NONE;
        }
        YamlNode yaml = YamlFiles.read(file, OtterProject.display(root, file), interpolator);
        if (!yaml.isMap()) {
            throw yaml.error("expected a map of keys to values at the top of the file");
        }
        yaml.checkKeys(
                Set.of(
                        "log_level",
                        "log_json",
                        "parallelism",
                        "checkpoint_interval",
                        "health_port",
                        "progress_interval",
                        "max_restarts"));
        String level =
                yaml.get("log_level")
                        .map(
                                n -> {
                                    String l = n.asString().trim().toUpperCase(Locale.ROOT);
                                    if (!LEVELS.contains(l)) {
                                        throw n.error(
                                                "expected TRACE, DEBUG, INFO, WARN or ERROR, got \""
                                                        + n.asString()
                                                        + "\"");
                                    }
                                    return l;
                                })
                        .orElse(null);
        Duration checkpoint =
                yaml.get("checkpoint_interval").map(YamlNode::asDuration).orElse(null);
        if (checkpoint != null && (checkpoint.isZero() || checkpoint.isNegative())) {
            throw yaml.required("checkpoint_interval").error("must be positive");
        }
        Duration progress = yaml.get("progress_interval").map(YamlNode::asDuration).orElse(null);
        if (progress != null && progress.isNegative()) {
            throw yaml.required("progress_interval").error("must not be negative");
        }
        return new RunSettings(
                level,
                yaml.get("log_json").map(YamlNode::asBoolean).orElse(null),
                optionalInt(yaml, "parallelism", 1, 10_000),
                checkpoint,
                optionalInt(yaml, "health_port", 0, 65_535),
                progress,
                optionalInt(yaml, "max_restarts", -1, Integer.MAX_VALUE));
    }

    /** The flag's value when given, else this file's, else the default. */
    public static <T> T pick(T flag, T configured, T defaultValue) {
        return flag != null ? flag : configured != null ? configured : defaultValue;
    }

    private static Integer optionalInt(YamlNode yaml, String key, int min, int max) {
        return yaml.get(key).isPresent() ? yaml.integer(key, 0, min, max) : null;
    }
}
