package io.github.flinkduckdb.otter.parquet;

import java.util.List;

/**
 * The chunks that become one published file (or one file per partition): created at a checkpoint,
 * published when that checkpoint completes.
 *
 * @param id unique and file-name safe; the published files are named {@code part-<id>-<n>.parquet}
 * @param checkpointId the checkpoint whose completion publishes the roll
 * @param chunks chunk files relative to the chunk root, oldest first
 * @param rows the number of rows in the chunks
 */
record ParquetRoll(String id, long checkpointId, List<String> chunks, long rows) {

    ParquetRoll {
        chunks = List.copyOf(chunks);
    }
}
