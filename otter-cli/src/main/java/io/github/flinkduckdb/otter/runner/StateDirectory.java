package io.github.flinkduckdb.otter.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints and savepoints of earlier runs of a project ({@code <state dir>/checkpoints/<job
 * id>/chk-<n>/} and {@code <state dir>/savepoints/savepoint-*}): {@code otter run} resumes from the
 * newest complete one (a folder with {@code _metadata}).
 */
public final class StateDirectory {

    private StateDirectory() {}

    /** The newest checkpoint or savepoint folder with a {@code _metadata} file. */
    public static Optional<Path> latest(Path stateDir) throws IOException {
        if (stateDir == null || !Files.isDirectory(stateDir)) {
            return Optional.empty();
        }
        try (Stream<Path> walk = Files.walk(stateDir, 4)) {
            return walk.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .filter(Files::isRegularFile)
                    .max(Comparator.comparingLong(StateDirectory::modified))
                    .map(Path::getParent);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
