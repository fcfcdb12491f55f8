package io.github.flinkduckdb.otter.runner;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Passes records through and counts them, as a Flink metric (for dashboards) and as an accumulator
 * (for {@code otter run}'s progress line, which reads accumulators through the job client).
 */
final class CountingMap<T> extends RichMapFunction<T, T> {

    private static final long serialVersionUID = 1L;

    private final String name;
    private transient LongCounter accumulator;
    private transient Counter metric;

    /** {@code name}: the accumulator and metric name, e.g. {@code otter.rows.orders}. */
    CountingMap(String name) {
        this.name = name;
    }

    @Override
    public void open(OpenContext openContext) {
        accumulator = new LongCounter();
        getRuntimeContext().addAccumulator(name, accumulator);
        metric = getRuntimeContext().getMetricGroup().counter(name.replace('.', '_'));
    }

    @Override
    public T map(T value) {
        accumulator.add(1);
        metric.inc();
        return value;
    }
}
