package io.github.flinkduckdb.otter.project;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixturesTest {

    @TempDir Path dir;

    @Test
    void readsOneObjectAnArrayOrJsonLinesKeepingTheExactText() throws Exception {
        Path one = Files.writeString(dir.resolve("one.json"), "{\n  \"a\": 1.50\n}\n");
        Path array = Files.writeString(dir.resolve("many.json"), "[{\"a\": 1}, {\"a\": 2.50} ]");
        Path lines = Files.writeString(dir.resolve("x.jsonl"), "{\"a\":1}\n\n{\"a\":\n{\"a\":3}\n");

        assertThat(Fixtures.read(one)).containsExactly("{\n  \"a\": 1.50\n}");
        assertThat(Fixtures.read(array)).containsExactly("{\"a\": 1}", "{\"a\": 2.50}");
        assertThat(Fixtures.read(lines)).containsExactly("{\"a\":1}", "{\"a\":", "{\"a\":3}");
    }

    @Test
    void aMissingFixtureIsNoSuchFile() {
        assertThatThrownBy(() -> Fixtures.read(dir.resolve("nope.json")))
                .isInstanceOf(NoSuchFileException.class);
    }
}
