package io.github.flinkduckdb.otter.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** The folder an engine's DuckDB may spill to: created new per engine, removed with it. */
final class SpillFolder {

    private static final Logger LOG = LoggerFactory.getLogger(SpillFolder.class);

    private SpillFolder() {}

    /** Creates {@code otter-duckdb-<random>} below {@code base}. */
    static Path create(Path base) throws IOException {
        Path folder = base.resolve("otter-duckdb-" + UUID.randomUUID());
        Files.createDirectories(folder);
        return folder;
    }

    /** Removes the folder and what DuckDB left in it; a file that cannot go is logged. */
    static void delete(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    LOG.debug("Could not delete {}", p, e);
                                }
                            });
        } catch (IOException e) {
            LOG.debug("Could not delete {}", folder, e);
        }
    }
}
