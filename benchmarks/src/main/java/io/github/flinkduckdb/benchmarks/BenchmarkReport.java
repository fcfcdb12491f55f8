package io.github.flinkduckdb.benchmarks;

import org.apache.flink.runtime.util.EnvironmentInformation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.DISCARDING;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.JDBC;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.JDBC_UPSERT;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.MEMORY;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.MEMORY_4X;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.NON_ROW_LOCAL;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.NON_ROW_LOCAL_BASELINE;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.RAW;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.RAW_EO_APPEND;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.RAW_EO_UPSERT;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.RAW_UPSERT_VS_APPEND;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.SINK_CASES;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.SQL_APPEND;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.SQL_UPSERT;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.TRANSFORM_BASELINE;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.TRANSFORM_BATCHED;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.TYPED_EO;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.UPSERT_VS_APPEND;
import static io.github.flinkduckdb.benchmarks.BenchmarkSuite.vsOwnLimit;

/**
 * The suite's report: the tables of medians, ranges, pair counts and targets that {@link
 * BenchmarkSuite} prints, built from its {@link Measurements}.
 */
final class BenchmarkReport {

    private BenchmarkReport() {}

    static String report(Measurements m, String scale) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Flink %s, scale: %s, %d cores, %d %s per ratio%n"
                                + "Ratios are the median of the pairs (a run of the case right"
                                + " next to a run of its baseline, each in its own JVM at full"
                                + " scale); spread is the lowest and highest ratio of the pairs."
                                + " Steady: the same pairs after the first quarter of each run"
                                + " (job start, JIT warm-up), up to its end (last commit"
                                + " included); targets are judged on the steady median where a"
                                + " case measures it, else on the whole run's.%n%n",
                        EnvironmentInformation.getVersion(),
                        scale,
                        Runtime.getRuntime().availableProcessors(),
                        m.pairCount,
                        m.pairCount == 1 ? "pair" : "pairs"));
        sinkTable(sb, m);
        upsertTable(sb, m);
        ownLimitTable(sb, m);
        profile(sb, m);
        transformTable(sb, m);
        PipelineReport.table(sb, m);
        memoryTable(sb, m);
        return sb.toString();
    }

    private static void sinkTable(StringBuilder sb, Measurements m) {
        Measurements.Spread raw = m.rowsPerSecond(RAW);
        double jdbc = judged(m, JDBC).median;
        sb.append(
                "| case | rows | rows/s | vs raw appender | spread | steady vs raw | steady spread"
                        + " | pairs | vs JdbcSink | target | met | check |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        // The baseline's own spread: its runs' rows/s over their median.
        List<Double> steadyRates = new ArrayList<>();
        for (Result r : m.results(RAW)) {
            if (!Double.isNaN(r.steadyRowsPerSecond())) {
                steadyRates.add(r.steadyRowsPerSecond());
            }
        }
        String steadyRange = "-";
        if (!steadyRates.isEmpty()) {
            Measurements.Spread steady = Measurements.Spread.of(steadyRates);
            steadyRange = range(steady.min / steady.median, steady.max / steady.median);
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %,d | %,.0f | 1.00x | %s | 1.00x | %s | %s | %.1fx | baseline | -"
                                + " | %s |%n",
                        RAW,
                        m.rows(RAW),
                        raw.median,
                        range(raw.min / raw.median, raw.max / raw.median),
                        steadyRange,
                        runs(raw.count),
                        1 / jdbc,
                        m.check(RAW)));
        List<String> cases = new ArrayList<>(SINK_CASES);
        cases.add(SQL_APPEND);
        cases.add(SQL_UPSERT);
        for (String name : cases) {
            if (m.pairs(name).isEmpty()) {
                continue;
            }
            Measurements.Spread ratio = m.ratio(name);
            Measurements.Spread steady = m.steadyRatio(name);
            double judged = judged(m, name).median;
            double vsJdbc = judged / jdbcBaseline(m, name);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,.0f | %s | %d | %.1fx | %s | %s | %s |%n",
                            name,
                            m.rows(name),
                            m.rowsPerSecond(name).median,
                            ratioCells(ratio, "", steady),
                            ratio.count,
                            vsJdbc,
                            target(name),
                            met(name, judged, vsJdbc, m),
                            m.check(name)));
        }
        sb.append(
                "rows/s: the median of the case's runs; vs JdbcSink: the case's judged median ratio"
                        + " over JdbcSink's; spread of raw-appender: its slowest and fastest run"
                        + " over its median.\n");
        if (!m.pairs(SQL_UPSERT).isEmpty() && !m.pairs(JDBC_UPSERT).isEmpty()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%s is compared with %s (JdbcSink upserting the same rows, INSERT OR"
                                    + " REPLACE into the keyed table); against the appending %s:"
                                    + " %.1fx.%n",
                            SQL_UPSERT,
                            JDBC_UPSERT,
                            JDBC,
                            judged(m, SQL_UPSERT).median / jdbc));
        }
    }

    /**
     * The JdbcSink a case is compared with: the upserting one for the SQL upsert (the same work:
     * every row applied by key), when measured; the appending one for every other case.
     */
    static double jdbcBaseline(Measurements m, String name) {
        if (name.equals(SQL_UPSERT) && !m.pairs(JDBC_UPSERT).isEmpty()) {
            return judged(m, JDBC_UPSERT).median;
        }
        return judged(m, JDBC).median;
    }

    /** The ratios a comparison's target is judged on: the steady ones where measured. */
    static Measurements.Spread judged(Measurements m, String comparison) {
        Measurements.Spread steady = m.steadyRatio(comparison);
        return steady != null ? steady : m.ratio(comparison);
    }

    private static void upsertTable(StringBuilder sb, Measurements m) {
        if (m.pairs(UPSERT_VS_APPEND).isEmpty()) {
            return;
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nUpsert vs append (SQL, PRIMARY KEY, 20%% updates, exactly-once,"
                                + " parallelism 1; each pair: an append run and the upsert run"
                                + " right after it):%n"
                                + "| comparison | rows/s | ratio | spread | steady ratio | steady"
                                + " spread | pairs | target | met |%n"
                                + "|---|---:|---:|---:|---:|---:|---:|---|---|%n"));
        comparisonRow(
                sb,
                m,
                UPSERT_VS_APPEND,
                SQL_UPSERT,
                SQL_APPEND,
                ">= 0.8x",
                metOrBound(
                        judged(m, UPSERT_VS_APPEND).median >= 0.8, 0.8, m, RAW_UPSERT_VS_APPEND));
    }

    /**
     * DuckDB alone doing what exactly-once must do with each row ({@link RawStaged}): the limit the
     * exactly-once cases are held against, and each case against it.
     */
    private static void ownLimitTable(StringBuilder sb, Measurements m) {
        if (m.pairs(RAW_EO_APPEND).isEmpty()) {
            return;
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nDuckDB's own limit for exactly-once (DuckDB alone, one Java thread, no"
                                + " Flink: each chunk of %,d rows appended to a staging table,"
                                + " encoded into a zstd Parquet payload, the bytes a checkpoint"
                                + " keeps, and loaded into the target in one transaction; each"
                                + " pair: the two runs of one round):%n"
                                + "| comparison | rows/s | ratio | spread | steady ratio | steady"
                                + " spread | pairs | what it shows |%n"
                                + "|---|---:|---:|---:|---:|---:|---:|---|%n",
                        io.github.flinkduckdb.sink.DuckDBSinkBuilder.DEFAULT_MAX_BUFFERED_ROWS));
        comparisonRow(
                sb,
                m,
                RAW_EO_APPEND,
                RAW_EO_APPEND,
                RAW,
                "DuckDB's own cost of exactly-once: the bound of "
                        + TYPED_EO
                        + "'s target (>= 0.85x raw)");
        comparisonRow(
                sb,
                m,
                RAW_UPSERT_VS_APPEND,
                RAW_EO_UPSERT,
                RAW_EO_APPEND,
                "DuckDB's own upsert vs append: the bound of the upsert's target (>= 0.8x"
                        + " append)");
        for (String[] c :
                new String[][] {
                    {TYPED_EO, RAW_EO_APPEND},
                    {SQL_APPEND, RAW_EO_APPEND},
                    {SQL_UPSERT, RAW_EO_UPSERT}
                }) {
            comparisonRow(
                    sb, m, vsOwnLimit(c[0]), c[0], c[1], "the sink against DuckDB's own limit");
        }
    }

    /**
     * A row of a comparison table: the candidate against its baseline (rates, ratios and their
     * spreads, whole and steady, pairs), then {@code cells}; nothing when the comparison has no
     * pairs.
     */
    private static void comparisonRow(
            StringBuilder sb,
            Measurements m,
            String comparison,
            String candidate,
            String baseline,
            String... cells) {
        if (m.pairs(comparison).isEmpty()) {
            return;
        }
        Measurements.Spread ratio = m.ratio(comparison);
        Measurements.Spread steady = m.steadyRatio(comparison);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| %s vs %s | %,.0f vs %,.0f | %s | %d | %s |%n",
                        candidate,
                        baseline,
                        m.rowsPerSecond(candidate).median,
                        m.rowsPerSecond(baseline).median,
                        ratioCells(ratio, "", steady),
                        ratio.count,
                        String.join(" | ", cells)));
    }

    /**
     * "yes", or "no", or, when DuckDB alone doing the same passes stays under the target too, "no
     * (DuckDB alone: 0.70x)": the target lies beyond DuckDB's own limit.
     */
    static String metOrBound(boolean met, double target, Measurements m, String bound) {
        return metOrBound(met, target, m, bound, "DuckDB alone");
    }

    /**
     * {@link #metOrBound(boolean, double, Measurements, String)} with the bound named {@code what}.
     */
    static String metOrBound(
            boolean met, double target, Measurements m, String bound, String what) {
        if (met) {
            return "yes";
        }
        if (m.pairs(bound).isEmpty()) {
            return "no";
        }
        double own = judged(m, bound).median;
        return own < target ? "no (" + what + ": " + ratio(own) + ")" : "no";
    }

    private static void profile(StringBuilder sb, Measurements m) {
        if (m.pairs(DISCARDING).isEmpty()) {
            return;
        }
        // One task thread does both Flink's per-record work and the appends: without overlap
        // their times add up. In units of the raw appender's time per row: 1 + 1/ratio.
        double flink = m.ratio(DISCARDING).median;
        double raw = m.rowsPerSecond(RAW).median;
        double serial = 1 / (1 + 1 / flink);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nProfile: Flink's own per-record work (source, chain, no sink) costs"
                                + " %.0f ns/row; the raw loop %.0f ns/row (medians). A sink doing"
                                + " the raw loop's work on the task thread, after Flink's, would"
                                + " reach %.2fx the raw appender at parallelism 1.%n",
                        1e9 / m.rowsPerSecond(DISCARDING).median,
                        1e9 / raw,
                        serial));
    }

    private static void transformTable(StringBuilder sb, Measurements m) {
        if (m.results(TRANSFORM_BASELINE).isEmpty()) {
            return;
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nTransform (seed orders.sql + purchases.sql, one DuckDB, 1 thread; each"
                                + " pair: the per-message baseline and the batched run after it,"
                                + " in one JVM):%n"
                                + "| variant | messages | messages/s | vs per message | spread |"
                                + " pairs | p99 batch time | p99 latency (fill + run) | target"
                                + " (>= 50x, p99 < 1 s) | check |%n"
                                + "|---|---:|---:|---:|---:|---:|---:|---:|---|---|%n"
                                + "| per message | %,d | %,.0f | 1.0x | - | %s | - | - |"
                                + " baseline | %s |%n",
                        m.rows(TRANSFORM_BASELINE),
                        m.rowsPerSecond(TRANSFORM_BASELINE).median,
                        runs(m.results(TRANSFORM_BASELINE).size()),
                        m.check(TRANSFORM_BASELINE)));
        for (int size : TransformBenchmark.BATCH_SIZES) {
            String name = TRANSFORM_BATCHED + size;
            if (m.pairs(name).isEmpty()) {
                continue;
            }
            Measurements.Spread ratio = m.ratio(name);
            double rate = m.rowsPerSecond(name).median;
            List<Double> p99s = new ArrayList<>();
            for (Result r : m.results(name)) {
                p99s.add((double) r.p99Millis);
            }
            long p99 = Math.round(Measurements.Spread.of(p99s).median);
            // At full speed a batch fills in about the time the previous one took to run.
            long latency = p99 + Math.round(size / rate * 1000);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| batches of %,d | %,d | %,.0f | %.1fx | %.1f-%.1f | %d | %d ms | %d ms"
                                    + " | %s | %s |%n",
                            size,
                            m.rows(name),
                            rate,
                            ratio.median,
                            ratio.min,
                            ratio.max,
                            ratio.count,
                            p99,
                            latency,
                            ratio.median >= 50 && latency < 1000 ? "yes" : "no",
                            m.check(name)));
        }
        sb.append("p99 batch time: the median over the runs of each run's 99th percentile.\n");
        if (m.pairs(NON_ROW_LOCAL).isEmpty()) {
            return;
        }
        Measurements.Spread ratio = m.ratio(NON_ROW_LOCAL);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nNon-row-local models (an aggregate over each order's items; the priciest"
                                + " item, ORDER BY ... LIMIT 1), per message against batches of"
                                + " %,d computed by message, same messages, in one JVM:%n"
                                + "| variant | messages | messages/s | vs per message | spread |"
                                + " pairs | target (>= 20x) | check |%n"
                                + "|---|---:|---:|---:|---:|---:|---|---|%n"
                                + "| per message | %,d | %,.0f | 1.0x | - | %s | baseline | %s |%n"
                                + "| batched by message | %,d | %,.0f | %.1fx | %.1f-%.1f | %d | %s |"
                                + " %s |%n",
                        TransformBenchmark.NON_ROW_LOCAL_BATCH,
                        m.rows(NON_ROW_LOCAL_BASELINE),
                        m.rowsPerSecond(NON_ROW_LOCAL_BASELINE).median,
                        runs(m.results(NON_ROW_LOCAL_BASELINE).size()),
                        m.check(NON_ROW_LOCAL_BASELINE),
                        m.rows(NON_ROW_LOCAL),
                        m.rowsPerSecond(NON_ROW_LOCAL).median,
                        ratio.median,
                        ratio.min,
                        ratio.max,
                        ratio.count,
                        ratio.median >= 20 ? "yes" : "no",
                        m.check(NON_ROW_LOCAL)));
    }

    private static void memoryTable(StringBuilder sb, Measurements m) {
        if (m.results(MEMORY).isEmpty() || m.results(MEMORY_4X).isEmpty()) {
            return;
        }
        Result m1 = m.results(MEMORY).get(0);
        Result m4 = m.results(MEMORY_4X).get(0);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nMemory (typed, at-least-once, parallelism 1, -Xmx1g, ParallelGC; one run"
                                + " each):%n"
                                + "| rows | live heap after GC (max) | heap used (max) | process RSS"
                                + " (max) | check |%n"
                                + "|---:|---:|---:|---:|---|%n"
                                + "| %,d | %d MB | %d MB | %d MB | %s |%n"
                                + "| %,d | %d MB | %d MB | %d MB | %s |%n"
                                + "Live heap for 4x the rows: %.2fx (target: does not grow with"
                                + " total rows) -> %s%n",
                        m1.rows,
                        m1.maxLiveHeapMb,
                        m1.maxHeapMb,
                        m1.rssMb,
                        m1.check,
                        m4.rows,
                        m4.maxLiveHeapMb,
                        m4.maxHeapMb,
                        m4.rssMb,
                        m4.check,
                        (double) m4.maxLiveHeapMb / Math.max(1, m1.maxLiveHeapMb),
                        m4.maxLiveHeapMb <= Math.max(m1.maxLiveHeapMb * 1.5, m1.maxLiveHeapMb + 16)
                                ? "yes"
                                : "no"));
    }

    static String runs(int count) {
        return count == 1 ? "1 run" : count + " runs";
    }

    /** A ratio to a baseline: two decimals, four for the JdbcSink's tiny share of the raw loop. */
    static String ratio(double value) {
        return String.format(Locale.ROOT, value >= 0.1 ? "%.2fx" : "%.4fx", value);
    }

    static String range(double min, double max) {
        return String.format(Locale.ROOT, max >= 0.1 ? "%.2f-%.2f" : "%.4f-%.4f", min, max);
    }

    /**
     * Four cells of a table row: the median ratio (followed by {@code of}) and its range, then the
     * steady median and its range ({@code -} without a steady part).
     */
    static String ratioCells(Measurements.Spread whole, String of, Measurements.Spread steady) {
        return ratio(whole.median)
                + of
                + " | "
                + range(whole.min, whole.max)
                + " | "
                + (steady == null ? "-" : ratio(steady.median))
                + " | "
                + (steady == null ? "-" : range(steady.min, steady.max));
    }

    /** The minimum ratio to the raw appender a case must reach; 0 for none. */
    static double minVsRaw(String name) {
        switch (name) {
            case "duckdb-typed-alo-p1":
                return 0.9;
            case "duckdb-typed-eo-p1":
                return 0.85;
            case "duckdb-typed-alo-p2": // issue 14 raises parallelism 1; 2 keeps its target
                return 0.7;
            case "duckdb-typed-eo-p2":
                return 0.6;
            case "duckdb-maps-alo-p1":
            case "duckdb-maps-eo-p1":
            case SQL_APPEND:
                return 0.6;
            default:
                return 0;
        }
    }

    static String target(String name) {
        if (name.equals(JDBC)) {
            return "baseline";
        }
        if (name.equals(JDBC_UPSERT)) {
            return "baseline of " + SQL_UPSERT;
        }
        if (name.equals(DISCARDING)) {
            return "profile: the same source, no sink";
        }
        if (name.equals(SQL_UPSERT)) {
            return ">= 100x JdbcSink upserting, >= 0.8x SQL append (below)";
        }
        double min = minVsRaw(name);
        return min > 0
                ? String.format(Locale.ROOT, ">= %sx raw, >= 100x JdbcSink", min)
                : ">= 100x JdbcSink";
    }

    static String met(String name, double vsRaw, double vsJdbc, Measurements m) {
        if (name.equals(JDBC) || name.equals(JDBC_UPSERT) || name.equals(DISCARDING)) {
            return "-";
        }
        boolean fastEnough = vsJdbc >= 100;
        if (name.equals(SQL_UPSERT)) {
            boolean vsAppend =
                    !m.pairs(UPSERT_VS_APPEND).isEmpty()
                            && judged(m, UPSERT_VS_APPEND).median >= 0.8;
            return fastEnough ? metOrBound(vsAppend, 0.8, m, RAW_UPSERT_VS_APPEND) : "no";
        }
        boolean met = vsRaw >= minVsRaw(name);
        if (name.equals(TYPED_EO) && fastEnough) {
            return metOrBound(met, minVsRaw(name), m, RAW_EO_APPEND);
        }
        return met && fastEnough ? "yes" : "no";
    }
}
