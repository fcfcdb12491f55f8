package io.github.flinkduckdb.otter.project;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Parquet output ({@code sinks.parquet}): files under {@code <path>/<model>/[key=value/]}, made
 * visible atomically when a Flink checkpoint completes.
 *
 * @param path the output root
 * @param stagingPath where files are prepared before they are renamed into place: outside the
 *     output tree (DuckDB's {@code **} glob enters hidden folders) and on the same file system
 * @param partitionBy partition columns for every model (empty: none)
 * @param partitionByModel partition columns per model, overriding {@code partitionBy}
 * @param dedupeKey key columns readers may de-duplicate by (Otter's "downstream deduplication
 *     key"), recorded in each file's key-value metadata; the writer keeps every row
 * @param dedupeKeyModel key columns per model, overriding {@code dedupeKey}
 * @param compression {@code zstd} (default), {@code snappy}, {@code gzip}, {@code lz4}, {@code
 *     uncompressed}
 */
public record ParquetOutputConfig(
        String path,
        String stagingPath,
        List<String> partitionBy,
        Map<String, List<String>> partitionByModel,
        List<String> dedupeKey,
        Map<String, List<String>> dedupeKeyModel,
        String compression)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public ParquetOutputConfig {
        partitionBy = List.copyOf(partitionBy);
        partitionByModel = Map.copyOf(partitionByModel);
        dedupeKey = List.copyOf(dedupeKey);
        dedupeKeyModel = Map.copyOf(dedupeKeyModel);
    }

    public Path root() {
        return Path.of(path);
    }

    public Path staging() {
        return Path.of(stagingPath);
    }

    public List<String> partitionBy(String model) {
        return partitionByModel.getOrDefault(model, partitionBy);
    }

    public List<String> dedupeKey(String model) {
        return dedupeKeyModel.getOrDefault(model, dedupeKey);
    }
}
