package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.project.FileSourceConfig;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Dead letters in both layouts of published rolls: a single file, and a folder of files. */
class ParquetDeadLetterFolderTest {

    @TempDir Path dir;

    private void deadLetter(Path file, String body) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            st.execute(
                    "COPY (SELECT 'model' AS stage, 'orders' AS model, 'bad' AS error,"
                            + " 'in.jsonl' AS source, "
                            + SqlIdentifiers.literal(body)
                            + " AS body) TO "
                            + SqlIdentifiers.literal(file.toString())
                            + " (FORMAT parquet)");
        }
    }

    @Test
    void readsRollsOldestFirstAndReplayRemovesTheirFolders() throws Exception {
        Path letters = dir.resolve("dlq").resolve(DeadLetterRows.NAME);
        // An older roll of one file, then a newer roll of two files (a folder).
        deadLetter(letters.resolve("part-1000-aaaaaaaa-0.parquet"), "{\"n\":1}");
        deadLetter(
                letters.resolve("commit_2000-bbbbbbbb/part-2000-bbbbbbbb-0.parquet"), "{\"n\":2}");
        deadLetter(
                letters.resolve("commit_2000-bbbbbbbb/part-2000-bbbbbbbb-1.parquet"), "{\"n\":3}");
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        ParquetDeadLetterFolder dlq =
                new ParquetDeadLetterFolder(
                        new FileSourceConfig(
                                inbox.toString(),
                                false,
                                Duration.ofSeconds(1),
                                dir.resolve("dlq").toString(),
                                100,
                                1000));

        assertThat(dlq.inspect(10).stream().map(DeadLetterMessage::bodyText))
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");

        assertThat(dlq.replay(null)).isEqualTo(3);
        List<Path> replayed;
        try (Stream<Path> s = Files.list(inbox)) {
            replayed = s.toList();
        }
        assertThat(replayed).hasSize(1);
        assertThat(Files.readAllLines(replayed.get(0)))
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        try (Stream<Path> s = Files.list(letters)) {
            assertThat(s.toList()).as("nothing left, no empty roll folder").isEmpty();
        }
    }
}
