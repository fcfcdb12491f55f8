package io.github.flinkduckdb.otter.parquet;

/**
 * One checkpoint's rows of one subtask, sealed into a Parquet file in the staging folder.
 *
 * @param path relative to the chunk root: {@code <writer folder>/c<checkpoint>-<seq>.parquet}
 * @param bytes the file's size
 * @param rows rows in the file
 * @param firstRowMillis when the oldest row arrived
 */
record ParquetChunk(String path, long bytes, long rows, long firstRowMillis) {}
