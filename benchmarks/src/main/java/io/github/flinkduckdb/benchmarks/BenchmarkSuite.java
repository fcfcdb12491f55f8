package io.github.flinkduckdb.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every benchmark case in forked JVMs and prints, for each case that has a baseline, the
 * median of its ratios to that baseline over several pairs of runs, the range of those ratios, the
 * target and whether the median meets it.
 *
 * <p>One run per case is not a measurement on a shared 2-core machine: the same code measured 0.58x
 * in one run and 0.84x in the next. So the suite runs in rounds. Each round runs every case once,
 * right next to a run of its baseline, and a pair's ratio comes from those two runs alone, which
 * cancels whatever the machine does for longer than a pair takes. The rounds spread each case's
 * pairs over the whole suite, so a burst of other work hits one pair of many cases rather than
 * every pair of one case, and the median of the pairs leaves it out.
 *
 * <pre>
 * mvn -B -Pbench -pl benchmarks -am verify -DskipTests                  (full scale, 5 pairs)
 * mvn -B -Pbench -pl benchmarks -am verify -DskipTests -Dbench.pairs=9  (more pairs)
 * mvn -B -Pbench -pl benchmarks -am verify -DskipTests -Dbench.profile=true  (JFR profiles)
 * </pre>
 */
public final class BenchmarkSuite {

    /** Pairs per ratio unless {@code --pairs} says otherwise. */
    public static final int DEFAULT_PAIRS = 5;

    static final String RAW = "raw-appender";
    static final String JDBC = "jdbc-sink";

    /** JdbcSink upserting the SQL upsert case's rows: the baseline of that case's vs JdbcSink. */
    static final String JDBC_UPSERT = "jdbc-sink-upsert";

    static final String DISCARDING = "flink-discarding";
    static final String SQL_APPEND = "sql-append-eo-p1";
    static final String SQL_UPSERT = "sql-upsert-eo-p1";

    /** The comparison of the SQL upsert with the SQL append of the same rows. */
    static final String UPSERT_VS_APPEND = "sql-upsert-vs-append";

    /** DuckDB alone doing exactly-once's three passes, appending ({@link RawStaged}). */
    static final String RAW_EO_APPEND = "raw-eo-append";

    /** DuckDB alone doing exactly-once's three passes, upserting ({@link RawStaged}). */
    static final String RAW_EO_UPSERT = "raw-eo-upsert";

    /** DuckDB's own upsert against its own append, both with exactly-once's passes. */
    static final String RAW_UPSERT_VS_APPEND = "raw-eo-upsert-vs-append";

    static final String TYPED_EO = "duckdb-typed-eo-p1";

    /** A case against DuckDB's own limit for the same delivery: the comparison's name. */
    static String vsOwnLimit(String name) {
        return name + "-vs-duckdb-alone";
    }

    static final String TRANSFORM = "transform";
    static final String TRANSFORM_BASELINE = "transform-per-message";
    static final String TRANSFORM_BATCHED = "transform-batched-";
    static final String NON_ROW_LOCAL_BASELINE = "transform-non-row-local-per-message";
    static final String NON_ROW_LOCAL = "transform-non-row-local-batched";
    static final String PIPELINE = "pipeline";
    static final String PIPELINE_RAW = "pipeline-raw-consumer";

    /** The raw consumer running the models itself, no Flink ({@link ConsumerTransform}). */
    static final String PIPELINE_ALONE = "pipeline-consumer-transform";

    static final String PIPELINE_P1 = "pipeline-otter";
    static final String PIPELINE_P2 = "pipeline-otter-p2";
    static final String MEMORY_CASE = "duckdb-typed-alo-p1";
    static final String MEMORY = "memory:" + MEMORY_CASE;
    static final String MEMORY_4X = MEMORY + "-4x";

    /** The DataStream cases of the sink table, each measured in pairs with the raw appender. */
    static final List<String> SINK_CASES =
            List.of(
                    JDBC,
                    JDBC_UPSERT,
                    DISCARDING,
                    "duckdb-typed-alo-p1",
                    "duckdb-typed-alo-p2",
                    TYPED_EO,
                    "duckdb-typed-eo-p2",
                    "duckdb-maps-alo-p1",
                    "duckdb-maps-eo-p1");

    /** One case run with its rows (at full scale in a JVM of its own). */
    static final class Slot {
        final String name;
        final long rows;

        Slot(String name, long rows) {
            this.name = name;
            this.rows = rows;
        }
    }

    /** A ratio measured once per round: a result of one slot over a result of another (or same). */
    static final class Comparison {
        final String name;
        final int baselineSlot;
        final String baseline;
        final int candidateSlot;
        final String candidate;

        Comparison(
                String name,
                int baselineSlot,
                String baseline,
                int candidateSlot,
                String candidate) {
            this.name = name;
            this.baselineSlot = baselineSlot;
            this.baseline = baseline;
            this.candidateSlot = candidateSlot;
            this.candidate = candidate;
        }
    }

    /** One round: every case once, right next to a run of its baseline. */
    static final class Round {
        final List<Slot> slots = new ArrayList<>();
        final List<Comparison> comparisons = new ArrayList<>();

        int add(String name, long rows) {
            slots.add(new Slot(name, rows));
            return slots.size() - 1;
        }

        void compare(
                String name,
                int baselineSlot,
                String baseline,
                int candidateSlot,
                String candidate) {
            comparisons.add(new Comparison(name, baselineSlot, baseline, candidateSlot, candidate));
        }
    }

    private BenchmarkSuite() {}

    public static void main(String[] args) throws Exception {
        String scale = "full";
        int pairs = DEFAULT_PAIRS;
        Path out = null;
        boolean profile = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--profile")) {
                profile = Boolean.parseBoolean(args[++i]);
            } else if (args[i].equals("--scale")) {
                scale = args[++i];
            } else if (args[i].equals("--pairs")) {
                pairs = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--out")) {
                out = Paths.get(args[++i]);
            } else {
                throw new IllegalArgumentException(
                        "Unknown argument "
                                + args[i]
                                + "; expected --scale full|smoke, --pairs N, --out FILE,"
                                + " --profile true|false");
            }
        }
        if (pairs < 1) {
            throw new IllegalArgumentException("--pairs must be at least 1, was " + pairs);
        }
        if (profile) {
            String report = profile(scale, Paths.get("target", "bench-work"));
            System.out.println(report);
            if (out != null) {
                Files.write(out, report.getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        long start = System.nanoTime();
        Measurements measurements = run(scale, pairs, Paths.get("target", "bench-work"));
        long seconds = Math.round((System.nanoTime() - start) / 1e9);
        String report =
                BenchmarkReport.report(measurements, scale)
                        + String.format(
                                Locale.ROOT,
                                "%nSuite run time: %d min %02d s%n",
                                seconds / 60,
                                seconds % 60);
        System.out.println(report);
        if (out != null) {
            Files.write(out, report.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Rows per run of each case at each scale: the JdbcSink baseline is ~100x slower, so it gets
     * fewer. At full scale a round takes 3 to 5 minutes on two quiet cores (by host); the sizes
     * keep every run of a Flink case several checkpoint intervals long. Every sink case writes as
     * many rows as the raw appender: at 2,000,000 rows the maps and SQL cases' steady parts (after
     * the first quarter) lasted about a second, short for their larger start.
     */
    static Map<String, Long> plan(String scale) {
        boolean full = scale.equals("full");
        long n = full ? 4_000_000 : 30_000;
        long jdbc = full ? 50_000 : 5_000;
        // Row-by-row INSERT OR REPLACE into a keyed table runs about 400 rows/s: 20,000 rows are
        // two of its batches of 10,000 and about 50 s.
        long jdbcUpsert = full ? 20_000 : 500;
        long mem = full ? 2_000_000 : 20_000;
        Map<String, Long> plan = new LinkedHashMap<>();
        plan.put(RAW, n);
        plan.put(JDBC, jdbc);
        plan.put(JDBC_UPSERT, jdbcUpsert);
        plan.put(DISCARDING, n);
        plan.put("duckdb-typed-alo-p1", n);
        plan.put("duckdb-typed-alo-p2", n);
        plan.put("duckdb-typed-eo-p1", n);
        plan.put("duckdb-typed-eo-p2", n);
        plan.put("duckdb-maps-alo-p1", n);
        plan.put("duckdb-maps-eo-p1", n);
        plan.put(SQL_APPEND, n);
        plan.put(SQL_UPSERT, n);
        plan.put(RAW_EO_APPEND, n);
        plan.put(RAW_EO_UPSERT, n);
        plan.put(TRANSFORM, full ? 50_000L : 1_000L);
        plan.put(PIPELINE, full ? 240_000L : 2_000L);
        if (full) {
            // Single runs, after the rounds; the smoke run skips these: they repeat
            // duckdb-typed-alo-p1 at other sizes.
            plan.put(MEMORY, mem);
            plan.put(MEMORY_4X, mem * 4);
        }
        return plan;
    }

    /** The runs of one round and the ratios they give. */
    static Round round(Map<String, Long> plan) {
        Round round = new Round();
        long raw = plan.get(RAW);
        int typedEo = -1;
        for (String name : SINK_CASES) {
            int baseline = round.add(RAW, raw);
            int candidate = round.add(name, plan.get(name));
            round.compare(name, baseline, RAW, candidate, name);
            if (name.equals(TYPED_EO)) {
                typedEo = candidate;
            }
        }
        // Raw, append, upsert, raw: each of the three pairs (append vs raw, upsert vs append,
        // upsert vs raw) runs back to back, with four runs instead of six. Then DuckDB alone doing
        // exactly-once's passes, appending right after the raw appender and upserting right after
        // appending: the limits the exactly-once cases are held against.
        int rawBefore = round.add(RAW, raw);
        int append = round.add(SQL_APPEND, plan.get(SQL_APPEND));
        int upsert = round.add(SQL_UPSERT, plan.get(SQL_UPSERT));
        int rawAfter = round.add(RAW, raw);
        int rawEoAppend = round.add(RAW_EO_APPEND, plan.get(RAW_EO_APPEND));
        int rawEoUpsert = round.add(RAW_EO_UPSERT, plan.get(RAW_EO_UPSERT));
        round.compare(SQL_APPEND, rawBefore, RAW, append, SQL_APPEND);
        round.compare(SQL_UPSERT, rawAfter, RAW, upsert, SQL_UPSERT);
        round.compare(UPSERT_VS_APPEND, append, SQL_APPEND, upsert, SQL_UPSERT);
        round.compare(RAW_EO_APPEND, rawAfter, RAW, rawEoAppend, RAW_EO_APPEND);
        round.compare(RAW_UPSERT_VS_APPEND, rawEoAppend, RAW_EO_APPEND, rawEoUpsert, RAW_EO_UPSERT);
        if (typedEo >= 0) {
            round.compare(vsOwnLimit(TYPED_EO), rawEoAppend, RAW_EO_APPEND, typedEo, TYPED_EO);
        }
        round.compare(vsOwnLimit(SQL_APPEND), rawEoAppend, RAW_EO_APPEND, append, SQL_APPEND);
        round.compare(vsOwnLimit(SQL_UPSERT), rawEoUpsert, RAW_EO_UPSERT, upsert, SQL_UPSERT);
        // One JVM runs the per-message baseline, then each batch size on the same messages.
        int transform = round.add(TRANSFORM, plan.get(TRANSFORM));
        for (int size : TransformBenchmark.BATCH_SIZES) {
            round.compare(
                    TRANSFORM_BATCHED + size,
                    transform,
                    TRANSFORM_BASELINE,
                    transform,
                    TRANSFORM_BATCHED + size);
        }
        round.compare(NON_ROW_LOCAL, transform, NON_ROW_LOCAL_BASELINE, transform, NON_ROW_LOCAL);
        // One JVM runs the raw consumer, then the pipeline at parallelism 1, then at 2.
        int pipeline = round.add(PIPELINE, plan.get(PIPELINE));
        round.compare(PIPELINE_P1, pipeline, PIPELINE_RAW, pipeline, PIPELINE_P1);
        round.compare(PIPELINE_ALONE, pipeline, PIPELINE_RAW, pipeline, PIPELINE_ALONE);
        round.compare(vsOwnLimit(PIPELINE_P1), pipeline, PIPELINE_ALONE, pipeline, PIPELINE_P1);
        round.compare(PIPELINE_P2, pipeline, PIPELINE_P1, pipeline, PIPELINE_P2);
        return round;
    }

    /**
     * Runs {@code pairs} rounds, then the memory runs (full scale only). At full scale every case
     * runs in a JVM of its own; the smoke scale runs each round in one JVM, because it only checks
     * that every case writes its rows and that the report is built from the pairs.
     */
    public static Measurements run(String scale, int pairs, Path work) throws Exception {
        Map<String, Long> plan = plan(scale);
        Round round = round(plan);
        boolean jvmPerCase = scale.equals("full");
        Measurements measurements = new Measurements(pairs);
        for (int r = 1; r <= pairs; r++) {
            List<List<Result>> bySlot = new ArrayList<>();
            if (jvmPerCase) {
                for (Slot slot : round.slots) {
                    System.err.printf(
                            Locale.ROOT,
                            "round %d of %d: %s with %,d rows%n",
                            r,
                            pairs,
                            slot.name,
                            slot.rows);
                    bySlot.addAll(CaseJvms.fork(List.of(slot), work));
                }
            } else {
                System.err.printf(
                        Locale.ROOT,
                        "round %d of %d: %d runs in one JVM%n",
                        r,
                        pairs,
                        round.slots.size());
                bySlot.addAll(CaseJvms.fork(round.slots, work));
            }
            for (List<Result> results : bySlot) {
                for (Result result : results) {
                    measurements.add(result);
                }
            }
            for (Comparison c : round.comparisons) {
                measurements.add(
                        c.name,
                        new Measurements.Pair(
                                find(bySlot.get(c.baselineSlot), c.baseline),
                                find(bySlot.get(c.candidateSlot), c.candidate)));
            }
        }
        for (String key : List.of(MEMORY, MEMORY_4X)) {
            if (plan.containsKey(key)) {
                System.err.printf(Locale.ROOT, "%s with %,d rows%n", key, plan.get(key));
                Result r =
                        CaseJvms.fork(List.of(new Slot(MEMORY_CASE, plan.get(key))), work)
                                .get(0)
                                .get(0);
                measurements.add(
                        new Result(
                                key,
                                r.rows,
                                r.seconds,
                                r.maxHeapMb,
                                r.rssMb,
                                r.check,
                                r.maxLiveHeapMb,
                                r.p99Millis,
                                r.steadyRows,
                                r.steadySeconds));
            }
        }
        return measurements;
    }

    /** The cases {@code --profile} records, each once. */
    static final List<String> PROFILED =
            List.of(
                    RAW,
                    DISCARDING,
                    "duckdb-typed-alo-p1",
                    "duckdb-typed-eo-p1",
                    "duckdb-maps-alo-p1",
                    SQL_APPEND,
                    SQL_UPSERT,
                    TRANSFORM,
                    PIPELINE);

    /**
     * Runs each case of {@link #PROFILED} once, in a JVM of its own with a Java Flight Recording
     * (JFR's {@code profile} settings: a stack sample every 10 ms per thread), and returns where
     * each spent its CPU time ({@link Profiles}). The recordings stay in {@code <work>/profiles/}
     * for JDK Mission Control or {@code jfr print}.
     */
    static String profile(String scale, Path work) throws Exception {
        Map<String, Long> plan = plan(scale);
        Path folder = work.resolve("profiles").toAbsolutePath();
        Files.createDirectories(folder);
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "# Profiles (%s scale, Flink %s)%n%nEach case once, in its own JVM"
                                        + " with JFR (profile settings). Share: of the case's"
                                        + " execution samples; the columns after it: of that"
                                        + " thread's samples.%n",
                                scale,
                                org.apache.flink.runtime.util.EnvironmentInformation.getVersion()));
        for (String name : PROFILED) {
            Path jfr = folder.resolve(name + ".jfr");
            Files.deleteIfExists(jfr);
            System.err.printf(Locale.ROOT, "profiling %s with %,d rows%n", name, plan.get(name));
            List<Result> results =
                    CaseJvms.fork(
                                    List.of(new Slot(name, plan.get(name))),
                                    work,
                                    List.of(
                                            "-XX:StartFlightRecording=settings=profile,filename="
                                                    + jfr))
                            .get(0);
            sb.append(Profiles.summarize(name, jfr));
            for (Result r : results) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "%s: %,d rows in %.2f s (%,.0f rows/s) while recording.%n",
                                r.name,
                                r.rows,
                                r.seconds,
                                r.rows / r.seconds));
            }
        }
        return sb.toString();
    }

    private static Result find(List<Result> results, String name) {
        for (Result r : results) {
            if (r.name.equals(name)) {
                return r;
            }
        }
        throw new IllegalStateException("No result " + name + " among " + results.size());
    }
}
