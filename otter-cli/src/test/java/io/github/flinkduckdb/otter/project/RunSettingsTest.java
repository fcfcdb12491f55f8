package io.github.flinkduckdb.otter.project;

import io.github.flinkduckdb.otter.testing.TestProjects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** config/run.yml: the values of {@code otter run}'s flags, which the flags override. */
class RunSettingsTest {

    @TempDir Path dir;

    private RunSettings read(String yaml) throws Exception {
        TestProjects.write(dir.resolve("config/run.yml"), yaml);
        return RunSettings.read(dir, null, Interpolator.withOverrides(Map.of("LEVEL", "debug")));
    }

    @Test
    void readsEveryKeyWithVariables() throws Exception {
        RunSettings s =
                read(
                        "log_level: ${LEVEL}\nlog_json: true\nparallelism: 4\n"
                                + "checkpoint_interval: 2s\nhealth_port: 8080\n"
                                + "progress_interval: 0\nmax_restarts: -1\n");
        assertThat(s)
                .isEqualTo(
                        new RunSettings(
                                "DEBUG", true, 4, Duration.ofSeconds(2), 8080, Duration.ZERO, -1));
    }

    @Test
    void noFileAndEmptyFileSetNothing() throws Exception {
        assertThat(RunSettings.read(dir, null, Interpolator.withOverrides(Map.of())))
                .isEqualTo(RunSettings.NONE);
        assertThat(read("")).isEqualTo(RunSettings.NONE);
    }

    @Test
    void aFlagWinsOverTheFileWhichWinsOverTheDefault() {
        assertThat(RunSettings.pick("DEBUG", "WARN", "INFO")).isEqualTo("DEBUG");
        assertThat(RunSettings.pick(null, "WARN", "INFO")).isEqualTo("WARN");
        assertThat(RunSettings.pick(null, null, "INFO")).isEqualTo("INFO");
    }

    @Test
    void errorsNameFileKeyAndLine() throws Exception {
        assertThatThrownBy(() -> read("parallelism: 2\nlog_level: LOUD\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "config/run.yml:2:12: log_level: expected TRACE, DEBUG, INFO, WARN or"
                                + " ERROR, got \"LOUD\"");
        assertThatThrownBy(() -> read("log_levle: INFO\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config/run.yml:1:1: log_levle: unknown key 'log_levle'");
        assertThatThrownBy(() -> read("checkpoint_interval: 0s\n"))
                .hasMessageStartingWith(
                        "config/run.yml:1:22: checkpoint_interval: must be positive");
        assertThatThrownBy(() -> read("parallelism: 0\n"))
                .hasMessageStartingWith(
                        "config/run.yml:1:14: parallelism: must be between 1 and 10000, got 0");
    }
}
