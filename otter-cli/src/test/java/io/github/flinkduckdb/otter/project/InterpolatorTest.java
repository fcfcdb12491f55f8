package io.github.flinkduckdb.otter.project;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ${VAR}} references in the keys and values of a parsed YAML file. */
class InterpolatorTest {

    private static final String AWKWARD = "p# x a: b \"quoted\" 'single' {x}\nsecond: line";

    private final Interpolator vars =
            new Interpolator(
                    Map.of(
                                    "HOST", "rabbit.internal",
                                    "EMPTY", "",
                                    "PASSWORD", "s3cret",
                                    "AWKWARD", AWKWARD,
                                    "KEY", "orders")
                            ::get);

    private YamlNode parse(String yaml) {
        return YamlFiles.parse(yaml, "config/sources.yml", vars);
    }

    @Test
    void replacesVariablesAndDefaultsAnywhereInAValue() {
        YamlNode doc =
                parse(
                        "host: ${HOST}\n"
                                + "port: ${PORT:-5672}\n"
                                + "url: amqp://${USER:-guest}@${HOST}:${PORT:-5672}/\n"
                                + "empty: ${EMPTY:-fallback}\n"
                                + "blank: ${EMPTY}\n"
                                + "none: ${MISSING:-}\n"
                                + "quoted: \"${EMPTY}\"\n"
                                + "${KEY}: ${HOST}\n");
        assertThat(doc.string("host", null)).isEqualTo("rabbit.internal");
        assertThat(doc.integer("port", 0, 1, 65_535)).isEqualTo(5672);
        assertThat(doc.string("url", null)).isEqualTo("amqp://guest@rabbit.internal:5672/");
        assertThat(doc.string("empty", null)).isEqualTo("fallback");
        // An unquoted value that comes out empty reads as `blank:` did: not set.
        assertThat(doc.get("blank")).isEmpty();
        assertThat(doc.get("none")).isEmpty();
        assertThat(doc.string("quoted", null)).isEmpty();
        assertThat(doc.string("orders", null)).isEqualTo("rabbit.internal");
    }

    @Test
    void aValueIsTakenVerbatimWhateverItHolds() {
        YamlNode doc =
                parse(
                        "plain: ${AWKWARD}\n"
                                + "double: \"${AWKWARD}\"\n"
                                + "single: '${AWKWARD}'\n"
                                + "around: before ${AWKWARD} after\n"
                                + "block: |\n  ${AWKWARD}\n"
                                + "list:\n  - ${AWKWARD}\n"
                                + "flow: {a: \"${AWKWARD}\"}\n"
                                + "after: still here\n");
        assertThat(doc.keys())
                .containsExactly(
                        "plain", "double", "single", "around", "block", "list", "flow", "after");
        assertThat(doc.string("plain", null)).isEqualTo(AWKWARD);
        assertThat(doc.string("double", null)).isEqualTo(AWKWARD);
        assertThat(doc.string("single", null)).isEqualTo(AWKWARD);
        assertThat(doc.string("around", null)).isEqualTo("before " + AWKWARD + " after");
        assertThat(doc.string("block", null)).isEqualTo(AWKWARD + "\n");
        assertThat(doc.stringList("list")).containsExactly(AWKWARD);
        assertThat(doc.required("flow").string("a", null)).isEqualTo(AWKWARD);
        assertThat(doc.string("after", null)).isEqualTo("still here");
    }

    @Test
    void aMissingVariableWithoutDefaultIsAnErrorNamingItFileAndLine() {
        assertThatThrownBy(() -> parse("source:\n  host: x\n  password: ${RABBITMQ_PASSWORD}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "config/sources.yml:3:13: environment variable RABBITMQ_PASSWORD is not set"
                                + " and ${RABBITMQ_PASSWORD} has no default (write"
                                + " ${RABBITMQ_PASSWORD:-default} to give one)")
                .satisfies(
                        e -> {
                            ConfigException c = (ConfigException) e;
                            assertThat(c.line()).isEqualTo(3);
                            assertThat(c.column()).isEqualTo(13);
                            assertThat(c.file()).contains("config/sources.yml");
                        });
    }

    @Test
    void errorsPointAtTheReferenceInsideQuotedKeyAndMultiLineValues() {
        assertThatThrownBy(() -> parse("a: \"x ${HOST}\n  y $${HOST} ${NOPE}\"\n"))
                .hasMessageStartingWith(
                        "config/sources.yml:2:14: environment variable NOPE is not set");
        assertThatThrownBy(() -> parse("a: 1\n'${NOPE}': 2\n"))
                .hasMessageStartingWith(
                        "config/sources.yml:2:2: environment variable NOPE is not set");
        assertThatThrownBy(() -> parse("a: |\n  one\n  two ${NOPE}\n"))
                .hasMessageStartingWith(
                        "config/sources.yml:3:7: environment variable NOPE is not set");
    }

    @Test
    void escapedReferencesAndCommentsStayAsWritten() {
        YamlNode doc = parse("a: $${HOST}\n# uses ${NOT_SET}\nb: ${HOST}  # or ${NOT_SET}\n");
        assertThat(doc.string("a", null)).isEqualTo("${HOST}");
        assertThat(doc.string("b", null)).isEqualTo("rabbit.internal");
    }

    @Test
    void malformedReferencesAreErrors() {
        assertThatThrownBy(() -> YamlFiles.parse("x: ${1BAD}", "f.yml", vars))
                .hasMessageStartingWith("f.yml:1:4: malformed variable reference");
        assertThatThrownBy(() -> YamlFiles.parse("x: ${UNCLOSED", "f.yml", vars))
                .hasMessageStartingWith("f.yml:1:4: malformed variable reference");
    }

    @Test
    void valuesNeverAppearInErrors() {
        assertThatThrownBy(() -> parse("p: ${PASSWORD}\nq: ${NOPE}"))
                .hasMessageNotContaining("s3cret");
    }
}
