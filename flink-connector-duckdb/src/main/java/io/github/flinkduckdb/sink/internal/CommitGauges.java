package io.github.flinkduckdb.sink.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.MetricGroup;

/**
 * The gauges of the last transaction that moved staged rows into the target: {@code rowsPerCommit}
 * and {@code commitLatencyMs}. Written by the thread that commits, read by the metric reporter.
 */
@Internal
public final class CommitGauges {

    private volatile long lastRows;
    private volatile long lastMillis;

    /** Registers both gauges on {@code metrics}. */
    public CommitGauges(MetricGroup metrics) {
        metrics.gauge("rowsPerCommit", () -> lastRows);
        metrics.gauge("commitLatencyMs", () -> lastMillis);
    }

    void committed(long rows, long startedNanos) {
        lastRows = rows;
        lastMillis = (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
