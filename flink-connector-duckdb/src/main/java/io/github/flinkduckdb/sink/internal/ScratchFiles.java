package io.github.flinkduckdb.sink.internal;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Short-lived local files: payloads are written here by DuckDB and read back at once (sealing), or
 * written from a committable for DuckDB to read (committing). Each is deleted after use; files a
 * crash left behind are swept when a committer starts.
 */
@Internal
public final class ScratchFiles {

    private static final Logger LOG = LoggerFactory.getLogger(ScratchFiles.class);
    private static final String PREFIX = "flink-duckdb-";
    private static final Duration ORPHAN_AGE = Duration.ofHours(1);

    private ScratchFiles() {}

    public static Path directory() throws IOException {
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "flink-duckdb");
        Files.createDirectories(dir);
        return dir;
    }

    /** A new, not yet existing file name in the scratch directory. */
    public static Path newFile(String kind, String extension) throws IOException {
        return directory().resolve(PREFIX + kind + "-" + UUID.randomUUID() + "." + extension);
    }

    public static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
        } catch (IOException e) {
            LOG.warn("Could not delete scratch file {}: {}", file, e.getMessage());
        }
    }

    /** Deletes scratch files older than an hour: leftovers of a crashed writer or committer. */
    public static int sweepOrphans() {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory(), PREFIX + "*")) {
            Instant cutoff = Instant.now().minus(ORPHAN_AGE);
            for (Path f : files) {
                try {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(f);
                        removed++;
                    }
                } catch (IOException e) {
                    LOG.debug("Could not sweep {}: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not sweep the scratch directory: {}", e.getMessage());
        }
        if (removed > 0) {
            LOG.info("Removed {} scratch files left behind by an earlier crash", removed);
        }
        return removed;
    }
}
