package io.github.flinkduckdb.otter.parquet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Parquet writer's state (JSON text in Flink's list state) restores exactly or fails with an
 * {@link IllegalStateException} saying the state cannot be read: never other numbers than were
 * written, and never a path that reaches outside the staging folder that restore sweeps.
 */
class ParquetWriterStateFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void stateRestoresExactlyOrFailsClearly(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        ParquetWriterState state;
        try {
            state = ParquetWriterState.fromJson(json);
        } catch (IllegalStateException e) {
            assertThat(e.getMessage())
                    .matches(
                            m ->
                                    m.startsWith("Cannot read the Parquet writer state")
                                            || m.startsWith("The Parquet writer state has format"));
            return;
        }
        assertThat(ParquetWriterState.fromJson(state.toJson())).isEqualTo(state);
    }

    private static String state(String writerDir, String chunkPath, String rows) {
        return "{\"version\":1,\"writerDir\":\""
                + writerDir
                + "\",\"pending\":[{\"path\":\""
                + chunkPath
                + "\",\"bytes\":10,\"rows\":"
                + rows
                + ",\"firstRowMillis\":5}],\"rolls\":[]}";
    }

    @Test
    void corruptStatesThatUsedToRestoreAreErrors() {
        ParquetWriterState good =
                ParquetWriterState.fromJson(state("w-s0", "w-s0/c1-0.chunk", "3"));
        assertThat(good.pending()).containsExactly(new ParquetChunk("w-s0/c1-0.chunk", 10, 3, 5));
        assertThat(ParquetWriterState.fromJson(good.toJson())).isEqualTo(good);
        // Before: 1.9 rows restored as 1, "3" as 3, null as 0, a missing writer folder as null.
        for (String rows : List.of("1.9", "\"3\"", "null")) {
            assertThatThrownBy(() -> ParquetWriterState.fromJson(state("w-s0", "w-s0/c", rows)))
                    .as(rows)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Cannot read the Parquet writer state: ");
        }
        assertThatThrownBy(
                        () ->
                                ParquetWriterState.fromJson(
                                        "{\"version\":1,\"pending\":[],\"rolls\":[]}"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Cannot read the Parquet writer state: ");
        // Before: restore swept a folder outside the staging root.
        assertThatThrownBy(() -> ParquetWriterState.fromJson(state("..", "w-s0/c", "3")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "Cannot read the Parquet writer state: the writer folder is not a plain"
                                + " relative name");
        assertThatThrownBy(() -> ParquetWriterState.fromJson(state("w-s0", "w-s0/../../x", "3")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "Cannot read the Parquet writer state: the chunk path is not a plain"
                                + " relative name");
    }
}
