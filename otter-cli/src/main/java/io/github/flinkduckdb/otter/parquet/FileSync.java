package io.github.flinkduckdb.otter.parquet;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync for files and folders, so a rename that made a file visible survives a power loss. */
final class FileSync {

    private FileSync() {}

    static void file(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Syncs a folder's entries (renames into it); a no-op where the platform cannot. */
    static void directory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every file system lets a folder be opened for sync (e.g. on Windows); the
            // rename itself is still atomic.
        }
    }
}
