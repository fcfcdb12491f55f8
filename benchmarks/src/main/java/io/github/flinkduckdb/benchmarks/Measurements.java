package io.github.flinkduckdb.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a run of the suite measured: every result by name, every pair by comparison. */
public final class Measurements {

    /** A case measured right next to its baseline: the ratio of the two throughputs. */
    public static final class Pair {
        public final Result baseline;
        public final Result candidate;

        Pair(Result baseline, Result candidate) {
            this.baseline = baseline;
            this.candidate = candidate;
        }

        public double ratio() {
            return candidate.rowsPerSecond() / baseline.rowsPerSecond();
        }

        /** The ratio of the steady parts of both runs, or NaN when one was not measured. */
        public double steadyRatio() {
            return candidate.steadyRowsPerSecond() / baseline.steadyRowsPerSecond();
        }
    }

    /** The median of some measured values and their range. */
    static final class Spread {
        final double median;
        final double min;
        final double max;
        final int count;

        private Spread(double median, double min, double max, int count) {
            this.median = median;
            this.min = min;
            this.max = max;
            this.count = count;
        }

        static Spread of(List<Double> values) {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("No values to take the median of");
            }
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(null);
            int n = sorted.size();
            double median =
                    n % 2 == 1
                            ? sorted.get(n / 2)
                            : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Spread(median, sorted.get(0), sorted.get(n - 1), n);
        }
    }

    final int pairCount;
    private final Map<String, List<Result>> results = new LinkedHashMap<>();
    private final Map<String, List<Pair>> pairs = new LinkedHashMap<>();

    Measurements(int pairCount) {
        this.pairCount = pairCount;
    }

    void add(Result result) {
        results.computeIfAbsent(result.name, k -> new ArrayList<>()).add(result);
    }

    void add(String comparison, Pair pair) {
        pairs.computeIfAbsent(comparison, k -> new ArrayList<>()).add(pair);
    }

    /** Every run of the result {@code name}, in the order they ran. */
    public List<Result> results(String name) {
        return results.getOrDefault(name, List.of());
    }

    /** Every result name measured. */
    public Set<String> resultNames() {
        return results.keySet();
    }

    /** The pairs of a comparison (a case's name, or {@link BenchmarkSuite#UPSERT_VS_APPEND}). */
    public List<Pair> pairs(String comparison) {
        return pairs.getOrDefault(comparison, List.of());
    }

    Spread ratio(String comparison) {
        List<Double> ratios = new ArrayList<>();
        for (Pair p : pairs(comparison)) {
            ratios.add(p.ratio());
        }
        return Spread.of(ratios);
    }

    /** The steady ratios of a comparison, or null when no pair measured both steady parts. */
    Spread steadyRatio(String comparison) {
        List<Double> ratios = new ArrayList<>();
        for (Pair p : pairs(comparison)) {
            double r = p.steadyRatio();
            if (!Double.isNaN(r)) {
                ratios.add(r);
            }
        }
        return ratios.isEmpty() ? null : Spread.of(ratios);
    }

    Spread rowsPerSecond(String name) {
        List<Double> rates = new ArrayList<>();
        for (Result r : results(name)) {
            rates.add(r.rowsPerSecond());
        }
        return Spread.of(rates);
    }

    /** "ok" when every run of {@code name} wrote its rows, else the first mismatch. */
    String check(String name) {
        for (Result r : results(name)) {
            if (!r.check.equals("ok")) {
                return r.check;
            }
        }
        return "ok";
    }

    long rows(String name) {
        return results(name).get(0).rows;
    }
}
