package io.github.flinkduckdb.otter.parquet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file operations of the Parquet commit protocol: atomic renames, durable trees, listing and
 * removing staged folders.
 */
final class StagingFiles {

    private StagingFiles() {}

    /** The files under {@code dir}, sorted; none when it does not exist. */
    static List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** fsyncs the files and folders under {@code dir}, so its rename publishes durable files. */
    static void syncTree(Path dir) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = walk.toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                FileSync.file(p);
            }
        }
        for (Path p : all) {
            if (Files.isDirectory(p)) {
                FileSync.directory(p);
            }
        }
    }

    /** An atomic rename, or an error that names both paths. */
    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(
                    "Cannot rename "
                            + from
                            + " to "
                            + to
                            + " atomically (different file systems?): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Removes {@code dir} and everything under it, if it exists. */
    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (NoSuchFileException ignored) {
                                    // removed concurrently: fine
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
