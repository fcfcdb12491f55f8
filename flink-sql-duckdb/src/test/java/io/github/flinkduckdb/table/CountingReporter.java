package io.github.flinkduckdb.table;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A metric reporter for MiniCluster tests that keeps every counter by name. */
public final class CountingReporter implements MetricReporter, MetricReporterFactory {

    private static final Map<String, List<Counter>> COUNTERS = new ConcurrentHashMap<>();

    /** The sum of all counters registered under {@code name} since the last reset. */
    public static long sum(String name) {
        long total = 0;
        for (Counter c : COUNTERS.getOrDefault(name, new CopyOnWriteArrayList<>())) {
            total += c.getCount();
        }
        return total;
    }

    public static void reset() {
        COUNTERS.clear();
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter) {
            COUNTERS.computeIfAbsent(metricName, k -> new CopyOnWriteArrayList<>())
                    .add((Counter) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // Kept: tests read counters after the job finished.
    }
}
