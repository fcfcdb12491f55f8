package io.github.flinkduckdb.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.github.flinkduckdb.benchmarks.BenchmarkReport.ratio;
import static io.github.flinkduckdb.benchmarks.BenchmarkReport.ratioCells;
import static io.github.flinkduckdb.benchmarks.BenchmarkReport.runs;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.PIPELINE_ALONE;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.PIPELINE_P1;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.PIPELINE_P2;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.PIPELINE_RAW;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.TRANSFORM_BATCHED;

/**
 * The report's pipeline table: the otter pipeline against the raw RabbitMQ consumer, how busy the
 * cores were, and the bound the machine sets.
 */
final class PipelineReport {

    /** How the report names {@link ProcessCpu#THREAD_GROUPS}. */
    private static final java.util.Map<String, String> THREAD_LABELS =
            java.util.Map.of(
                    "source",
                    "source task (RabbitMQ reader, transform, rows out)",
                    "parquet",
                    "Parquet writers",
                    "client",
                    "RabbitMQ client",
                    "jit",
                    "JIT compilers",
                    "gc",
                    "GC",
                    "other",
                    "other (Flink runtime, DuckDB's threads, ended threads)");

    private PipelineReport() {}

    static void table(StringBuilder sb, Measurements m) {
        if (m.pairs(PIPELINE_P1).isEmpty()) {
            return;
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nPipeline (RabbitMQ -> seed models -> Parquet, prefetch %d, acks at"
                                + " checkpoints every %d ms; each pair: the raw consumer, then the"
                                + " pipeline, on the same broker in one JVM; steady: after a"
                                + " quarter of the messages is through, to the end):%n"
                                + "| variant | messages | messages/s | steady messages/s | ratio |"
                                + " spread | steady ratio | steady spread | pairs | target | met"
                                + " |%n"
                                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|%n"
                                + "| raw consumer at its best (prefetch %d, multiple ack every %d"
                                + " messages) | %,d | %,.0f | %s | 1.00x | - | 1.00x | - | %s |"
                                + " baseline | - |%n",
                        PipelineBenchmark.PREFETCH,
                        PipelineBenchmark.ACK_INTERVAL_MS,
                        RawConsumer.PREFETCH,
                        RawConsumer.ACK_EVERY,
                        m.rows(PIPELINE_RAW),
                        m.rowsPerSecond(PIPELINE_RAW).median,
                        steadyRate(m, PIPELINE_RAW),
                        runs(m.results(PIPELINE_RAW).size())));
        comparedRow(
                sb,
                m,
                PIPELINE_P1,
                PIPELINE_P1,
                "otter pipeline (rows readable in Parquet)",
                "",
                ">= 0.8x raw consumer",
                BenchmarkReport.metOrBound(
                        BenchmarkReport.judged(m, PIPELINE_P1).median >= 0.8,
                        0.8,
                        m,
                        PIPELINE_ALONE,
                        "the consumer running the models alone"));
        comparedRow(
                sb,
                m,
                PIPELINE_ALONE,
                PIPELINE_ALONE,
                "raw consumer running the models itself (no Flink; rows counted, not written):"
                        + " the pipeline's own limit",
                " of the raw consumer",
                "-",
                "-");
        comparedRow(
                sb,
                m,
                BenchmarkSuite.vsOwnLimit(PIPELINE_P1),
                PIPELINE_P1,
                "otter pipeline against that limit",
                " of the limit",
                "-",
                "-");
        comparedRow(
                sb,
                m,
                PIPELINE_P2,
                PIPELINE_P2,
                "otter pipeline, parallelism 2 (two competing consumers)",
                " of parallelism 1",
                "-",
                "-");
        List<Double> latencies = new ArrayList<>();
        for (Result r : m.results(PIPELINE_P1)) {
            latencies.add((double) r.p99Millis);
        }
        Measurements.Spread latency = Measurements.Spread.of(latencies);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Latency from publish to a readable Parquet row (idle pipeline, parallelism"
                                + " 1, median of 10 messages per run): %.0f ms, the median of %s"
                                + " (%.0f-%.0f ms)%n",
                        latency.median,
                        runs(latency.count),
                        latency.min,
                        latency.max));
        cpuBound(sb, m);
    }

    /**
     * A row of the pipeline table for {@code comparison}, whose candidate is {@code variant}: its
     * rates, its ratios to the comparison's baseline (followed by {@code of}, which names that
     * baseline where it is not the raw consumer), then the target and whether it is met; nothing
     * when the comparison has no pairs.
     */
    private static void comparedRow(
            StringBuilder sb,
            Measurements m,
            String comparison,
            String variant,
            String label,
            String of,
            String target,
            String met) {
        if (m.pairs(comparison).isEmpty()) {
            return;
        }
        Measurements.Spread whole = m.ratio(comparison);
        Measurements.Spread steady = m.steadyRatio(comparison);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %,d | %,.0f | %s | %s | %d | %s | %s |%n",
                        label,
                        m.rows(variant),
                        m.rowsPerSecond(variant).median,
                        steadyRate(m, variant),
                        ratioCells(whole, of, steady),
                        whole.count,
                        target,
                        met));
    }

    /**
     * How much of the machine each variant used in its timed window's steady part: CPU seconds of
     * this JVM and of the broker over the window's length (medians), in cores.
     */
    private static void cpuBound(StringBuilder sb, Measurements m) {
        List<String> parts = new ArrayList<>();
        String[][] variants = {
            {"raw consumer", PipelineBenchmark.PIPELINE_RAW_CPU, PIPELINE_RAW},
            {"consumer running the models", PipelineBenchmark.PIPELINE_ALONE_CPU, PIPELINE_ALONE},
            {"otter pipeline", PipelineBenchmark.PIPELINE_P1_CPU, PIPELINE_P1},
            {"parallelism 2", PipelineBenchmark.PIPELINE_P2_CPU, PIPELINE_P2}
        };
        for (String[] v : variants) {
            if (m.results(v[1]).isEmpty()
                    || m.results(v[1] + PipelineBenchmark.BROKER).isEmpty()
                    || m.results(v[2]).isEmpty()) {
                continue;
            }
            double wall = m.rows(v[2]) / rate(m, v[2]);
            double jvm = seconds(m, v[1]) / wall;
            double broker = seconds(m, v[1] + PipelineBenchmark.BROKER) / wall;
            parts.add(
                    String.format(
                            Locale.ROOT,
                            "%s %.2f (JVM %.2f, broker %.2f)",
                            v[0],
                            jvm + broker,
                            jvm,
                            broker));
        }
        if (parts.isEmpty()) {
            return;
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Cores busy in the timed window's steady part (CPU seconds over wall"
                                + " seconds, medians; %d cores): %s%n",
                        Runtime.getRuntime().availableProcessors(),
                        String.join("; ", parts)));
        pipelineBound(sb, m);
    }

    /**
     * What the machine allows the pipeline at best, from parts measured in the same run: the raw
     * consumer's CPU per message (broker and client: the pipeline receives every message too) plus
     * the transform's own per message (normalize, load, run the models, read the rows: its batches
     * of the pipeline's size, in one thread, so seconds are CPU seconds), before any cost of Flink
     * or the Parquet files. On all cores that gives at most so many messages per second.
     */
    private static void pipelineBound(StringBuilder sb, Measurements m) {
        String transform = TRANSFORM_BATCHED + PipelineBenchmark.BATCH_SIZE;
        if (m.results(PipelineBenchmark.PIPELINE_RAW_CPU).isEmpty()
                || m.results(PipelineBenchmark.PIPELINE_RAW_CPU + PipelineBenchmark.BROKER)
                        .isEmpty()
                || m.results(transform).isEmpty()) {
            return;
        }
        double messages = m.rows(PIPELINE_RAW);
        double broker =
                seconds(m, PipelineBenchmark.PIPELINE_RAW_CPU + PipelineBenchmark.BROKER)
                        / messages
                        * 1e6;
        double client = seconds(m, PipelineBenchmark.PIPELINE_RAW_CPU) / messages * 1e6;
        double models = 1e6 / m.rowsPerSecond(transform).median;
        int cores = Runtime.getRuntime().availableProcessors();
        double raw = rate(m, PIPELINE_RAW);
        double bound = Math.min(raw, cores / ((broker + client + models) / 1e6));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Bound on this machine, before any cost of Flink or Parquet: the raw"
                                + " consumer's CPU per message (broker %.1f us, client %.1f us)"
                                + " plus the transform's own (batches of %,d in one thread: %.1f"
                                + " us) make %.1f us per message; %d cores give at most %,.0f"
                                + " messages/s, %s of the raw consumer%n",
                        broker,
                        client,
                        PipelineBenchmark.BATCH_SIZE,
                        models,
                        broker + client + models,
                        cores,
                        bound,
                        ratio(bound / raw)));
        threads(sb, m, broker + client + models, raw);
    }

    /**
     * Where the pipeline's JVM CPU went at parallelism 1, per message and thread group (medians),
     * and the bound again with the Parquet writers' threads added: writing the files is work the
     * pipeline must do and the transform alone does not.
     */
    private static void threads(StringBuilder sb, Measurements m, double boundMicros, double raw) {
        List<String> parts = new ArrayList<>();
        double parquet = Double.NaN;
        double total = 0;
        List<String> groups = new ArrayList<>();
        for (String[] g : ProcessCpu.THREAD_GROUPS) {
            groups.add(g[0]);
        }
        groups.add("other");
        for (String g : groups) {
            String name = PipelineBenchmark.PIPELINE_P1_THREADS + g;
            if (m.results(name).isEmpty()) {
                return;
            }
            double micros = seconds(m, name) / m.rows(name) * 1e6;
            total += micros;
            if (g.equals("parquet")) {
                parquet = micros;
            }
            parts.add(String.format(Locale.ROOT, "%s %.1f", THREAD_LABELS.get(g), micros));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double bound = Math.min(raw, cores / ((boundMicros + parquet) / 1e6));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "The pipeline's JVM CPU per message at parallelism 1, by thread (us,"
                                + " medians): %s; %.1f in all. With the Parquet writers' threads"
                                + " added to the bound above (%.1f us per message) %d cores give"
                                + " at most %,.0f messages/s, %s of the raw consumer%n",
                        String.join(", ", parts),
                        total,
                        boundMicros + parquet,
                        cores,
                        bound,
                        ratio(bound / raw)));
    }

    /**
     * The median rate of a variant's runs in their steady parts, where measured, else over their
     * whole windows: the rate the CPU figures (measured in the same part) belong to.
     */
    static double rate(Measurements m, String name) {
        List<Double> rates = new ArrayList<>();
        for (Result r : m.results(name)) {
            if (!Double.isNaN(r.steadyRowsPerSecond())) {
                rates.add(r.steadyRowsPerSecond());
            }
        }
        return rates.isEmpty()
                ? m.rowsPerSecond(name).median
                : Measurements.Spread.of(rates).median;
    }

    private static String steadyRate(Measurements m, String name) {
        for (Result r : m.results(name)) {
            if (!Double.isNaN(r.steadyRowsPerSecond())) {
                return String.format(Locale.ROOT, "%,.0f", rate(m, name));
            }
        }
        return "-";
    }

    /** The median of a result's seconds over its runs. */
    private static double seconds(Measurements m, String name) {
        List<Double> seconds = new ArrayList<>();
        for (Result r : m.results(name)) {
            seconds.add(r.seconds);
        }
        return Measurements.Spread.of(seconds).median;
    }
}
