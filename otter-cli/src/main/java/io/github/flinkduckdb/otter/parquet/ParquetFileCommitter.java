package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.schema.SqlIdentifiers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Publishes a roll (the chunks collected for one output file) into the output tree as one set,
 * idempotently. The protocol, where every step can be interrupted and the whole commit replayed:
 *
 * <ol>
 *   <li>Unless the roll's merge folder {@code commits/<writer>/<roll>/} exists or the roll is
 *       published: merge the chunks with DuckDB into {@code commits/<writer>/<roll>.tmp/}
 *       (partitioned, split at {@code max_file_bytes}, the {@code dedupe_key} recorded in each
 *       file's key-value metadata), sync the files and folders, and rename the folder to {@code
 *       commits/<writer>/<roll>/}: the merge is then complete. A roll of one chunk that is already
 *       its output file (no {@code partition_by}, no {@code dedupe_key}, within {@code
 *       max_file_bytes}) is not rewritten: the chunk is hard-linked into the folder.
 *   <li>Publish with one rename: the merge folder becomes {@code <model>/commit_<roll>/} (its files
 *       {@code [key=value/]part-<roll>-<n>.parquet}), or, for a roll of a model without {@code
 *       partition_by} that fits one file, that file becomes {@code <model>/part-<roll>-0.parquet}.
 *       A reader globbing {@code <model>/**}{@code /*.parquet} sees all files of the roll or none.
 *   <li>Delete the chunks, then what is left of the merge folder.
 * </ol>
 *
 * A roll whose merge folder is gone is published when its folder or file is in the output tree, or
 * when its chunks are gone. {@code <writer>} is the folder of the roll's chunks, owned by one
 * subtask, so {@link #sweep} can remove the leftovers of interrupted commits without touching
 * another subtask's. Staging lives outside the output tree (DuckDB's {@code **} glob enters hidden
 * folders) on the same file system (so the renames are atomic).
 */
final class ParquetFileCommitter {

    /**
     * The key-value metadata entry of each published file that names the model's {@code dedupe_key}
     * columns, as a JSON array: a key readers may de-duplicate by. The writer drops no row.
     */
    static final String DEDUPE_KEY_METADATA = "otter.dedupe_key";

    /** The name of a published roll's folder is this prefix and the roll id (as Otter's). */
    static final String ROLL_FOLDER_PREFIX = "commit_";

    /** The points between the steps of {@link #commit}, where tests inject a crash. */
    enum Step {
        /** The merged files are written and synced in {@code <roll>.tmp/}. */
        MERGE_WRITTEN,
        /** {@code <roll>.tmp/} is renamed to {@code <roll>/}. */
        MERGED,
        /** The roll is in the output tree. */
        PUBLISHED,
        /** The chunks are deleted. */
        CHUNKS_DELETED
    }

    /** Called after each {@link Step}; a test's hook throws to simulate a crash there. */
    @FunctionalInterface
    interface StepHook {
        void reached(Step step, ParquetRoll roll) throws IOException;
    }

    private static final String TMP_SUFFIX = ".tmp";

    /** Files merged by earlier versions, which renamed them one by one into place. */
    private static final String LEGACY_PENDING = ".pending";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(ParquetFileCommitter.class);

    private final String model;
    private final Path outputDir;
    private final Path commitsDir;
    private final List<String> partitionBy;
    private final List<String> dedupeKey;
    private final boolean shapedChunks;
    private final String compression;
    private final long maxFileBytes;
    private StepHook hook = (step, roll) -> {};

    /**
     * @param shapedChunks whether chunks may differ in schema (rows whose columns follow each
     *     message's shape): only then does a merge read each chunk's schema to group them
     */
    ParquetFileCommitter(
            String model,
            Path outputDir,
            Path commitsDir,
            List<String> partitionBy,
            List<String> dedupeKey,
            String compression,
            long maxFileBytes,
            boolean shapedChunks) {
        this.shapedChunks = shapedChunks;
        this.model = model;
        this.outputDir = outputDir;
        this.commitsDir = commitsDir;
        this.partitionBy = List.copyOf(partitionBy);
        this.dedupeKey = List.copyOf(dedupeKey);
        this.compression = compression;
        this.maxFileBytes = maxFileBytes;
    }

    /** Sets the hook called after each step (tests only). */
    void onStep(StepHook hook) {
        this.hook = hook;
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
        Path merged = mergeFolder(roll);
        Path tmp = merged.resolveSibling(roll.id() + TMP_SUFFIX);
        List<Path> chunks = roll.chunks().stream().map(chunkRoot::resolve).toList();
        if (!Files.isDirectory(merged)) {
            List<Path> present = chunks.stream().filter(Files::exists).toList();
            if (present.isEmpty() || isPublished(roll)) {
                LOG.debug("Roll {} of model {} was published before", roll.id(), model);
                finish(roll, chunks, tmp);
                return List.of();
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
            StagingFiles.deleteRecursively(tmp);
            Files.createDirectories(tmp.getParent());
            if (isOutputFile(chunks)) {
                linkAsOutput(chunks.get(0), tmp, roll.id());
            } else {
                merge(duckdb, chunks, tmp, roll.id());
            }
            StagingFiles.syncTree(tmp);
            hook.reached(Step.MERGE_WRITTEN, roll);
            StagingFiles.move(tmp, merged);
            FileSync.directory(merged.getParent());
            hook.reached(Step.MERGED, roll);
        }
        List<Path> published = publish(roll, merged);
        hook.reached(Step.PUBLISHED, roll);
        finish(roll, chunks, merged);
        return published;
    }

    /** Step 2: one rename makes every file of the merged roll visible. */
    private List<Path> publish(ParquetRoll roll, Path merged) throws IOException {
        List<Path> files = renameLegacyPending(StagingFiles.regularFiles(merged));
        if (files.isEmpty()) {
            // The single file of an unpartitioned roll was renamed before.
            return List.of();
        }
        Files.createDirectories(outputDir);
        if (partitionBy.isEmpty() && files.size() == 1) {
            Path target = outputDir.resolve(files.get(0).getFileName().toString());
            StagingFiles.move(files.get(0), target);
            FileSync.directory(outputDir);
            return List.of(target);
        }
        Path target = outputDir.resolve(ROLL_FOLDER_PREFIX + roll.id());
        StagingFiles.move(merged, target);
        FileSync.directory(outputDir);
        return StagingFiles.regularFiles(target);
    }

    /** Step 3: deletes the chunks, then {@code leftover} (the merge folder or its tmp). */
    private void finish(ParquetRoll roll, List<Path> chunks, Path leftover) throws IOException {
        for (Path chunk : chunks) {
            Files.deleteIfExists(chunk);
        }
        hook.reached(Step.CHUNKS_DELETED, roll);
        StagingFiles.deleteRecursively(leftover);
    }

    /** Whether the roll's folder or single file is in the output tree. */
    private boolean isPublished(ParquetRoll roll) {
        return Files.isDirectory(outputDir.resolve(ROLL_FOLDER_PREFIX + roll.id()))
                || Files.exists(outputDir.resolve("part-" + roll.id() + "-0.parquet"));
    }

    /**
     * {@code commits/<writer>/<roll>}, where {@code <writer>} is the folder of the roll's chunks; a
     * roll merged by an earlier version has its folder at {@code commits/<roll>}.
     */
    private Path mergeFolder(ParquetRoll roll) {
        Path legacy = commitsDir.resolve(roll.id());
        if (Files.isDirectory(legacy)) {
            return legacy;
        }
        return commitsDir.resolve(writerOf(roll)).resolve(roll.id());
    }

    private static String writerOf(ParquetRoll roll) {
        Path first = Path.of(roll.chunks().get(0));
        return first.getNameCount() > 1 ? first.getName(0).toString() : "";
    }

    /**
     * The startup sweep: removes what interrupted commits left in the merge folders of {@code
     * writers} (this subtask's) and of the restored rolls' writers: every {@code <roll>.tmp/}, and
     * every merged folder of a roll not in {@code restored} (its rows come again from the source).
     * A restored roll's folder stays: replaying its commit finishes it.
     */
    void sweep(Collection<String> writers, Collection<ParquetRoll> restored) throws IOException {
        Set<String> keep = new HashSet<>();
        Set<String> folders = new TreeSet<>(writers);
        for (ParquetRoll roll : restored) {
            keep.add(roll.id());
            folders.add(writerOf(roll));
        }
        for (String writer : folders) {
            Path folder = commitsDir.resolve(writer);
            if (writer.isEmpty() || !Files.isDirectory(folder)) {
                continue;
            }
            List<Path> entries;
            try (Stream<Path> list = Files.list(folder)) {
                entries = list.toList();
            }
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(TMP_SUFFIX) || !keep.contains(name)) {
                    LOG.info(
                            "Model {}: removing {}, left by an interrupted Parquet commit",
                            model,
                            entry);
                    StagingFiles.deleteRecursively(entry);
                }
            }
        }
    }

    /**
     * Gives files merged by an earlier version ({@code .pending}) their published name; that
     * version renamed files one by one, so a replay moves the rest as one set.
     */
    private static List<Path> renameLegacyPending(List<Path> files) throws IOException {
        List<Path> renamed = new ArrayList<>(files.size());
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(LEGACY_PENDING)) {
                Path to =
                        f.resolveSibling(
                                name.substring(0, name.length() - LEGACY_PENDING.length())
                                        + ".parquet");
                StagingFiles.move(f, to);
                f = to;
            }
            renamed.add(f);
        }
        return renamed;
    }

    /**
     * Whether the roll's one chunk is already its output file: unpartitioned, without a key to
     * record in the file's metadata, and within {@code max_file_bytes}. A chunk is written with the
     * output's compression, so merging it alone would rewrite the same rows into the same file;
     * with {@code max_age_seconds: 0} (a roll per checkpoint) every roll is such a chunk.
     */
    private boolean isOutputFile(List<Path> chunks) throws IOException {
        return chunks.size() == 1
                && partitionBy.isEmpty()
                && dedupeKey.isEmpty()
                && Files.size(chunks.get(0)) <= maxFileBytes;
    }

    /**
     * The merge of a roll whose one chunk is its output file: a hard link to the chunk in the merge
     * folder (a copy where the file system has no hard links). The chunk keeps its name until step
     * 3, so a replay finds it as before.
     */
    private static void linkAsOutput(Path chunk, Path target, String rollId) throws IOException {
        Files.createDirectories(target);
        Path file = target.resolve("part-" + rollId + "-0.parquet");
        try {
            Files.createLink(file, chunk);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(chunk, file);
        }
    }

    /**
     * Merges the chunks into {@code target}; chunks of different schemas (rows whose columns follow
     * each message's shape) are merged per schema, each into its own files of the roll.
     */
    private void merge(Connection duckdb, List<Path> chunks, Path target, String rollId)
            throws SQLException, IOException {
        if (!shapedChunks) {
            copy(duckdb, chunks, target, "part-" + rollId + "-{i}");
            return;
        }
        Map<String, List<Path>> bySchema = new LinkedHashMap<>();
        for (Path chunk : chunks) {
            bySchema.computeIfAbsent(schemaOf(duckdb, chunk), k -> new ArrayList<>()).add(chunk);
        }
        if (bySchema.size() == 1) {
            copy(duckdb, chunks, target, "part-" + rollId + "-{i}");
            return;
        }
        Files.createDirectories(target);
        int k = 0;
        for (List<Path> group : bySchema.values()) {
            Path part = target.resolve(".schema-" + k);
            copy(duckdb, group, part, "part-" + rollId + "-s" + k + "-{i}");
            try (Stream<Path> walk = Files.walk(part)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    Path to = target.resolve(part.relativize(file).toString());
                    Files.createDirectories(to.getParent());
                    Files.move(file, to);
                }
            }
            StagingFiles.deleteRecursively(part);
            k++;
        }
    }

    private static String schemaOf(Connection duckdb, Path chunk) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Statement st = duckdb.createStatement();
                java.sql.ResultSet rs =
                        st.executeQuery(
                                "DESCRIBE SELECT * FROM read_parquet("
                                        + SqlIdentifiers.literal(chunk.toString())
                                        + ")")) {
            while (rs.next()) {
                sb.append(rs.getString(1))
                        .append('\u0001')
                        .append(rs.getString(2))
                        .append('\u0002');
            }
        }
        return sb.toString();
    }

    private void copy(Connection duckdb, List<Path> chunks, Path target, String filenamePattern)
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
                        .append(SqlIdentifiers.literal(filenamePattern));
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

    private static String quoteAll(List<String> names) {
        return names.stream().map(SqlIdentifiers::quote).collect(Collectors.joining(", "));
    }
}
