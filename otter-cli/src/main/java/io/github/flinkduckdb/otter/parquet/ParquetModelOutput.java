package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.otter.project.FlushPolicy;
import io.github.flinkduckdb.schema.ColumnSchema;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything one model's Parquet writer needs: where files go, how they are partitioned and
 * compressed, the key recorded for readers, and when they roll.
 *
 * @param model the model name; files go to {@code <outputRoot>/<model>/}
 * @param columns the model's output columns, or null when the rows carry their own ({@link
 *     io.github.flinkduckdb.otter.ShapedRow}: a transform without a declared incoming schema)
 * @param outputRootPath the output folder
 * @param stagingRootPath the staging folder (outside the output tree, same file system)
 * @param partitionBy partition columns ({@code key=value/} folders)
 * @param dedupeKey key columns recorded in each file's key-value metadata for readers to
 *     de-duplicate by (no row is dropped), or empty
 * @param compression the Parquet compression codec
 * @param policy when files roll
 * @param memoryLimit DuckDB memory limit of the staging buffer, e.g. {@code 256MB}
 */
public record ParquetModelOutput(
        String model,
        List<ColumnSchema> columns,
        String outputRootPath,
        String stagingRootPath,
        List<String> partitionBy,
        List<String> dedupeKey,
        String compression,
        FlushPolicy policy,
        String memoryLimit)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public ParquetModelOutput {
        partitionBy = List.copyOf(partitionBy);
        dedupeKey = List.copyOf(dedupeKey);
        // Null for shaped rows: partition columns are checked for each shape as it arrives.
        if (columns != null) {
            columns = new ArrayList<>(columns);
            checkColumns(model, columns, partitionBy, "partition_by");
            checkColumns(model, columns, dedupeKey, "dedupe_key");
            if (!partitionBy.isEmpty() && partitionBy.size() == columns.size()) {
                throw new IllegalArgumentException(
                        "Model "
                                + model
                                + ": partition_by "
                                + partitionBy
                                + " names every column; a Parquet file needs at least one column that is not a partition key");
            }
        }
    }

    /** Whether the rows carry their own columns, which follow each message's shape. */
    public boolean shaped() {
        return columns == null;
    }

    public Path outputRoot() {
        return Path.of(outputRootPath);
    }

    public Path stagingRoot() {
        return Path.of(stagingRootPath);
    }

    private static void checkColumns(
            String model, List<ColumnSchema> columns, List<String> names, String key) {
        for (String name : names) {
            boolean found =
                    columns.stream()
                            .anyMatch(
                                    c ->
                                            c.name()
                                                    .toLowerCase(Locale.ROOT)
                                                    .equals(name.toLowerCase(Locale.ROOT)));
            if (!found) {
                throw new IllegalArgumentException(
                        "Model "
                                + model
                                + " has no column '"
                                + name
                                + "' for "
                                + key
                                + "; its columns are "
                                + columns.stream().map(ColumnSchema::name).toList());
            }
        }
    }
}
