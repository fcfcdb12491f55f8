package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.schema.SqlIdentifiers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Publishes a roll (the chunks collected for one output file) into the output tree, idempotently.
 * The protocol, where every step can be interrupted and the whole commit replayed:
 *
 * <ol>
 *   <li>If {@code commits/<roll>/} does not exist: merge the chunks with DuckDB into {@code
 *       commits/<roll>.tmp/} (partitioned, split at {@code max_file_bytes}, the {@code dedupe_key}
 *       recorded in each file's key-value metadata), sync the files, and rename the folder to
 *       {@code commits/<roll>/}: the merge is then complete (the files end in {@code .pending}, so
 *       no {@code *.parquet} glob matches them). If neither exists nor any chunk, the roll was
 *       committed before: done.
 *   <li>Rename each file of {@code commits/<roll>/} to its place under the output folder ({@code
 *       <model>/[key=value/]part-<roll>-<n>.parquet}): each rename is atomic, so a reader sees a
 *       whole file or none.
 *   <li>Delete the chunks, then {@code commits/<roll>/}.
 * </ol>
 *
 * Staging lives outside the output tree (DuckDB's {@code **} glob enters hidden folders) on the
 * same file system (so the rename is atomic).
 */
final class ParquetFileCommitter {

    /**
     * The key-value metadata entry of each published file that names the model's {@code dedupe_key}
     * columns, as a JSON array: a key readers may de-duplicate by. The writer drops no row.
     */
    static final String DEDUPE_KEY_METADATA = "otter.dedupe_key";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(ParquetFileCommitter.class);

    private final String model;
    private final Path outputDir;
    private final Path commitsDir;
    private final List<String> partitionBy;
    private final List<String> dedupeKey;
    private final String compression;
    private final long maxFileBytes;

    ParquetFileCommitter(
            String model,
            Path outputDir,
            Path commitsDir,
            List<String> partitionBy,
            List<String> dedupeKey,
            String compression,
            long maxFileBytes) {
        this.model = model;
        this.outputDir = outputDir;
        this.commitsDir = commitsDir;
        this.partitionBy = List.copyOf(partitionBy);
        this.dedupeKey = List.copyOf(dedupeKey);
        this.compression = compression;
        this.maxFileBytes = maxFileBytes;
    }

    /**
     * Fails with a clear message when staging and output are on different file systems, where a
     * rename would be a copy that readers could observe half-done.
     */
    static void checkSameFileSystem(Path staging, Path output) throws IOException {
        Files.createDirectories(staging);
        Files.createDirectories(output);
        FileStore a = Files.getFileStore(staging);
        FileStore b = Files.getFileStore(output);
        if (!a.equals(b)) {
            throw new IOException(
                    "The Parquet staging folder "
                            + staging
                            + " and the output folder "
                            + output
                            + " are on different file systems ("
                            + a
                            + " and "
                            + b
                            + "), so publishing a file would not be an atomic rename: set sinks.parquet.staging_path to a folder next to the output");
        }
    }

    /**
     * Publishes {@code roll}; safe to call again for the same roll after any interruption.
     *
     * @return the files published by this call (empty when the roll was already published)
     */
    List<Path> commit(Connection duckdb, ParquetRoll roll, Path chunkRoot)
            throws IOException, SQLException {
        if (!mergeIfNeeded(duckdb, roll, chunkRoot)) {
            LOG.debug("Roll {} of model {} was published before", roll.id(), model);
            return List.of();
        }
        return publishMerged(roll, chunkRoot);
    }

    /**
     * Step 1: merges the chunks into {@code commits/<roll>/} unless that is done already.
     *
     * @return false when the roll was published completely before (nothing left to do)
     */
    boolean mergeIfNeeded(Connection duckdb, ParquetRoll roll, Path chunkRoot)
            throws IOException, SQLException {
        Path done = commitsDir.resolve(roll.id());
        Path tmp = commitsDir.resolve(roll.id() + ".tmp");
        List<Path> chunks = roll.chunks().stream().map(chunkRoot::resolve).toList();
        if (!Files.isDirectory(done)) {
            List<Path> present = chunks.stream().filter(Files::exists).toList();
            if (present.isEmpty()) {
                deleteRecursively(tmp);
                return false;
            }
            if (present.size() != chunks.size()) {
                List<Path> missing = new ArrayList<>(chunks);
                missing.removeAll(present);
                throw new IOException(
                        "Cannot publish Parquet roll "
                                + roll.id()
                                + " of model "
                                + model
                                + ": staged chunks are missing "
                                + missing
                                + " (was the staging folder cleaned by hand?)");
            }
            deleteRecursively(tmp);
            Files.createDirectories(commitsDir);
            merge(duckdb, chunks, tmp, roll.id());
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    FileSync.file(f);
                }
            }
            move(tmp, done);
        }
        return true;
    }

    /** Steps 2 and 3: renames the merged files into place, then removes chunks and leftovers. */
    List<Path> publishMerged(ParquetRoll roll, Path chunkRoot) throws IOException {
        Path done = commitsDir.resolve(roll.id());
        List<Path> chunks = roll.chunks().stream().map(chunkRoot::resolve).toList();
        List<Path> published = new ArrayList<>();
        if (!Files.isDirectory(done)) {
            return published;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(done)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String relative = done.relativize(f).toString();
            if (relative.endsWith(".pending")) {
                relative =
                        relative.substring(0, relative.length() - ".pending".length()) + ".parquet";
            }
            Path target = outputDir.resolve(relative);
            Files.createDirectories(target.getParent());
            move(f, target);
            FileSync.directory(target.getParent());
            published.add(target);
        }
        for (Path chunk : chunks) {
            Files.deleteIfExists(chunk);
        }
        deleteRecursively(done);
        return published;
    }

    private void merge(Connection duckdb, List<Path> chunks, Path target, String rollId)
            throws SQLException {
        String files =
                chunks.stream()
                        .map(p -> SqlIdentifiers.literal(p.toString()))
                        .collect(Collectors.joining(", "));
        StringBuilder copy =
                new StringBuilder("COPY (SELECT * FROM read_parquet([")
                        .append(files)
                        .append("])) TO ")
                        .append(SqlIdentifiers.literal(target.toString()))
                        .append(" (FORMAT parquet, COMPRESSION ")
                        .append(compression)
                        .append(", FILENAME_PATTERN ")
                        .append(SqlIdentifiers.literal("part-" + rollId + "-{i}"))
                        // Not .parquet until published: no glob over a parent folder matches it.
                        .append(", FILE_EXTENSION 'pending'");
        if (!partitionBy.isEmpty()) {
            copy.append(", PARTITION_BY (").append(quoteAll(partitionBy)).append(')');
        } else {
            copy.append(", FILE_SIZE_BYTES ").append(maxFileBytes);
        }
        if (!dedupeKey.isEmpty()) {
            copy.append(", KV_METADATA {")
                    .append(SqlIdentifiers.literal(DEDUPE_KEY_METADATA))
                    .append(": ")
                    .append(SqlIdentifiers.literal(jsonList(dedupeKey)))
                    .append('}');
        }
        copy.append(')');
        try (Statement st = duckdb.createStatement()) {
            st.execute(copy.toString());
        }
    }

    /** The key as a JSON array of column names, e.g. {@code ["order_id"]}. */
    private static String jsonList(List<String> names) {
        try {
            return JSON.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write column names as JSON: " + names, e);
        }
    }

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

    private static String quoteAll(List<String> names) {
        return names.stream().map(SqlIdentifiers::quote).collect(Collectors.joining(", "));
    }
}
