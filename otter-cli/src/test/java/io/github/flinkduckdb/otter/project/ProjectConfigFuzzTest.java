package io.github.flinkduckdb.otter.project;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A project's YAML files, read with {@code ${VAR}} interpolation and then as sources, sinks and
 * models config: any text either reads or fails with a {@link ConfigException} naming the file,
 * never another exception (a crash of {@code otter run} with a stack trace instead of "file, line:
 * problem").
 */
class ProjectConfigFuzzTest {

    private static final String FILE = "config/sources.yml";
    private static final Interpolator VARS =
            new Interpolator(Map.of("HOST", "rabbit.internal", "EMPTY", "", "PORT", "x")::get);
    private static final ProjectConfigReader READER =
            new ProjectConfigReader(Path.of("fuzz-project"));

    @FuzzTest(maxDuration = "60s")
    // One line each: libFuzzer's dictionary format has no newlines.
    @DictionaryEntries({
        "source:",
        "type: rabbitmq",
        "type: kafka",
        "type: file",
        "sinks:",
        "models:",
        "${HOST}",
        "${PORT:-5672}",
        "$${",
        "${",
        "queue: ",
        "port: ",
        "batch_size: ",
        "parquet:",
        "duckdb:",
        "- ",
        "&a ",
        "*a",
        "!!binary ",
        "? ",
        "|",
        "  "
    })
    void yamlReadsOrFailsWithAConfigException(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        YamlNode doc;
        try {
            doc = YamlFiles.parse(text, FILE, VARS);
        } catch (ConfigException e) {
            assertNamesTheFile(e);
            return;
        }
        readAs(() -> READER.source(doc));
        readAs(() -> READER.sinks(doc));
        readAs(() -> READER.models(doc));
    }

    private static void readAs(Runnable read) {
        try {
            read.run();
        } catch (ConfigException e) {
            // Names a file: this one, or one the config points to.
            assertThat(e.file()).isPresent();
            assertThat(e.getMessage()).startsWith(e.file().get());
        }
    }

    private static void assertNamesTheFile(ConfigException e) {
        assertThat(e.file()).isEqualTo(Optional.of(FILE));
        assertThat(e.getMessage()).startsWith(FILE);
    }

    private static String repeat(String s, int n) {
        StringBuilder sb = new StringBuilder(s.length() * n);
        for (int i = 0; i < n; i++) {
            sb.append(s);
        }
        return sb.toString();
    }

    @Test
    void hostileYamlIsAConfigExceptionWithTheFile() {
        String[] hostile = {
            repeat("[", 100_000),
            repeat("- ", 10_000) + "x",
            "a: &a [x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]",
            "source: ${",
            "source: !!binary ~",
            "\t- x"
        };
        for (String text : hostile) {
            try {
                YamlNode doc = YamlFiles.parse(text, FILE, VARS);
                readAs(() -> READER.source(doc));
            } catch (ConfigException e) {
                assertNamesTheFile(e);
            }
        }
        assertThatThrownBy(() -> YamlFiles.parse(repeat("[", 100_000), FILE, VARS))
                .isInstanceOf(ConfigException.class);
    }
}
