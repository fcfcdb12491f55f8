package io.github.flinkduckdb.otter.project;

import java.io.Serializable;

/**
 * When a model's Parquet file is closed and published ({@code config/models.yml}). Files are
 * published only at Flink checkpoints: at the first checkpoint at which the rows collected for the
 * file reach {@code maxFileBytes} (measured as compressed Parquet bytes) or the oldest of them is
 * {@code maxAgeSeconds} old, and at the end of a bounded input. {@code maxFileBytes} also caps the
 * size of each published file (larger collections are split).
 *
 * @param maxFileBytes target size of a published file, in bytes
 * @param maxAgeSeconds the longest a row waits before its file is published (rounded up to the next
 *     checkpoint)
 */
public record FlushPolicy(long maxFileBytes, long maxAgeSeconds) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Otter's defaults: 128 MB, 5 minutes. */
    public static final FlushPolicy DEFAULT = new FlushPolicy(134_217_728L, 300L);
}
