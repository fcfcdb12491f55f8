package io.github.flinkduckdb.otter.project;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InterpolatorTest {

    private final Interpolator vars =
            new Interpolator(
                    Map.of("HOST", "rabbit.internal", "EMPTY", "", "PASSWORD", "s3cret")::get);

    @Test
    void replacesVariablesAndDefaultsAnywhereInALine() {
        String text =
                "host: ${HOST}\n"
                        + "port: ${PORT:-5672}\n"
                        + "url: amqp://${USER:-guest}@${HOST}:${PORT:-5672}/\n"
                        + "empty: ${EMPTY:-fallback}\n"
                        + "blank: ${EMPTY}\n"
                        + "none: ${MISSING:-}";
        assertThat(vars.interpolate(text, "config/sources.yml"))
                .isEqualTo(
                        "host: rabbit.internal\n"
                                + "port: 5672\n"
                                + "url: amqp://guest@rabbit.internal:5672/\n"
                                + "empty: fallback\n"
                                + "blank: \n"
                                + "none: ");
    }

    @Test
    void aMissingVariableWithoutDefaultIsAnErrorNamingItFileAndLine() {
        assertThatThrownBy(
                        () ->
                                vars.interpolate(
                                        "source:\n  host: x\n  password: ${RABBITMQ_PASSWORD}\n",
                                        "config/sources.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "config/sources.yml:3:13: environment variable RABBITMQ_PASSWORD is not set"
                                + " and ${RABBITMQ_PASSWORD} has no default (write"
                                + " ${RABBITMQ_PASSWORD:-default} to give one)")
                .satisfies(
                        e -> {
                            ConfigException c = (ConfigException) e;
                            assertThat(c.line()).isEqualTo(3);
                            assertThat(c.file()).contains("config/sources.yml");
                        });
    }

    @Test
    void escapedReferencesAndCommentLinesStayAsWritten() {
        assertThat(vars.interpolate("a: $${HOST}\n# uses ${NOT_SET}\nb: ${HOST}", "f.yml"))
                .isEqualTo("a: ${HOST}\n# uses ${NOT_SET}\nb: rabbit.internal");
    }

    @Test
    void malformedReferencesAreErrors() {
        assertThatThrownBy(() -> vars.interpolate("x: ${1BAD}", "f.yml"))
                .hasMessageStartingWith("f.yml:1:4: malformed variable reference");
    }

    @Test
    void valuesNeverAppearInErrors() {
        assertThatThrownBy(() -> vars.interpolate("p: ${PASSWORD}\nq: ${NOPE}", "f.yml"))
                .hasMessageNotContaining("s3cret");
    }
}
