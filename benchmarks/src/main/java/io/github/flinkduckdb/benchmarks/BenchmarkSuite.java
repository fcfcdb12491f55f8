package io.github.flinkduckdb.benchmarks;

import org.apache.flink.runtime.util.EnvironmentInformation;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
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
 * Runs every benchmark case in a forked JVM and prints throughput, the ratio to the baseline
 * measured in the same run, the target and whether it was met.
 *
 * <pre>
 * mvn -B -Pbench -pl benchmarks -am verify -DskipTests      (full scale)
 * </pre>
 */
public final class BenchmarkSuite {

    /** A measured case. */
    public static final class Result {
        public final String name;
        public final long rows;
        public final double seconds;
        public final long maxHeapMb;
        public final long rssMb;
        public final String check;
        public final long maxLiveHeapMb;
        public final long p99Millis;

        Result(
                String name,
                long rows,
                double seconds,
                long maxHeapMb,
                long rssMb,
                String check,
                long maxLiveHeapMb,
                long p99Millis) {
            this.name = name;
            this.rows = rows;
            this.seconds = seconds;
            this.maxHeapMb = maxHeapMb;
            this.rssMb = rssMb;
            this.check = check;
            this.maxLiveHeapMb = maxLiveHeapMb;
            this.p99Millis = p99Millis;
        }

        public double rowsPerSecond() {
            return rows / seconds;
        }
    }

    private BenchmarkSuite() {}

    public static void main(String[] args) throws Exception {
        String scale = "full";
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--scale")) {
                scale = args[++i];
            } else if (args[i].equals("--out")) {
                out = Paths.get(args[++i]);
            }
        }
        Map<String, Result> results = run(scale, Paths.get("target", "bench-work"));
        String report = report(results, scale);
        System.out.println(report);
        if (out != null) {
            Files.write(out, report.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Rows per case at each scale: the JdbcSink baseline is ~100x slower, so it gets fewer. */
    static Map<String, Long> plan(String scale) {
        boolean full = scale.equals("full");
        long n = full ? 5_000_000 : 30_000;
        long maps = full ? 2_000_000 : 30_000;
        long jdbc = full ? 200_000 : 5_000;
        long mem = full ? 2_000_000 : 20_000;
        Map<String, Long> plan = new LinkedHashMap<>();
        plan.put("raw-appender", n);
        plan.put("jdbc-sink", jdbc);
        plan.put("flink-discarding", n);
        plan.put("duckdb-typed-alo-p1", n);
        plan.put("duckdb-typed-alo-p2", n);
        plan.put("duckdb-typed-eo-p1", n);
        plan.put("duckdb-typed-eo-p2", n);
        plan.put("duckdb-maps-alo-p1", maps);
        plan.put("duckdb-maps-eo-p1", maps);
        plan.put("sql-append-eo-p1", maps);
        plan.put("sql-upsert-eo-p1", maps);
        plan.put("transform", full ? 20_000L : 1_000L);
        plan.put("pipeline", full ? 100_000L : 2_000L);
        if (full) {
            // The smoke run skips these: they repeat duckdb-typed-alo-p1 at other sizes.
            plan.put("memory:duckdb-typed-alo-p1", mem);
            plan.put("memory:duckdb-typed-alo-p1-4x", mem * 4);
        }
        return plan;
    }

    public static Map<String, Result> run(String scale, Path work) throws Exception {
        Map<String, Result> results = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : plan(scale).entrySet()) {
            String key = e.getKey();
            String caseName = key.replace("memory:", "").replace("-4x", "");
            System.err.printf("running %s with %,d rows%n", key, e.getValue());
            for (Result r : fork(caseName, e.getValue(), work)) {
                String name = r.name.equals(caseName) ? key : r.name;
                results.put(
                        name,
                        new Result(
                                name,
                                r.rows,
                                r.seconds,
                                r.maxHeapMb,
                                r.rssMb,
                                r.check,
                                r.maxLiveHeapMb,
                                r.p99Millis));
            }
        }
        return results;
    }

    static List<Result> fork(String caseName, long rows, Path work) throws Exception {
        String classpath =
                System.getProperty("bench.classes")
                        + File.pathSeparator
                        + new String(
                                        Files.readAllBytes(
                                                Paths.get(
                                                        System.getProperty(
                                                                "bench.classpath.file"))),
                                        StandardCharsets.UTF_8)
                                .trim();
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-XX:+UseParallelGC");
        cmd.add("--add-opens=java.base/java.util=ALL-UNNAMED");
        cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        cmd.add("--add-opens=java.base/java.time=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(BenchmarkCase.class.getName());
        cmd.add(caseName);
        cmd.add(String.valueOf(rows));
        cmd.add(work.toAbsolutePath().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> resultLines = new ArrayList<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT|")) {
                    resultLines.add(line);
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || resultLines.isEmpty()) {
            throw new IllegalStateException(
                    "Benchmark case " + caseName + " failed (exit " + exit + "):\n" + output);
        }
        List<Result> out = new ArrayList<>();
        for (String line : resultLines) {
            String[] f = line.split("\\|");
            out.add(
                    new Result(
                            f[1],
                            Long.parseLong(f[2]),
                            Double.parseDouble(f[3]),
                            Long.parseLong(f[4]),
                            Long.parseLong(f[5]),
                            f[6],
                            Long.parseLong(f[7]),
                            Long.parseLong(f[8])));
        }
        return out;
    }

    static String report(Map<String, Result> results, String scale) {
        Result raw = results.get("raw-appender");
        Result jdbc = results.get("jdbc-sink");
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Flink %s, scale: %s, %d cores%n%n",
                        EnvironmentInformation.getVersion(),
                        scale,
                        Runtime.getRuntime().availableProcessors()));
        sb.append(
                "| case | rows | rows/s | vs raw appender | vs JdbcSink | target | met | check |\n");
        sb.append("|---|---:|---:|---:|---:|---|---|---|\n");
        for (Result r : results.values()) {
            if (r.name.startsWith("memory:")
                    || r.name.startsWith("transform")
                    || r.name.startsWith("pipeline")) {
                continue;
            }
            String target = target(r.name);
            double vsRaw = r.rowsPerSecond() / raw.rowsPerSecond();
            double vsJdbc = r.rowsPerSecond() / jdbc.rowsPerSecond();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,.0f | %.2fx | %.1fx | %s | %s | %s |%n",
                            r.name,
                            r.rows,
                            r.rowsPerSecond(),
                            vsRaw,
                            vsJdbc,
                            target,
                            met(r.name, vsRaw, vsJdbc),
                            r.check));
        }
        Result flink = results.get("flink-discarding");
        if (flink != null) {
            // One task thread does both Flink's per-record work and the appends: without overlap
            // their times add up.
            double serial = 1 / (1 / raw.rowsPerSecond() + 1 / flink.rowsPerSecond());
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nProfile: Flink's own per-record work (source, chain, no sink) costs"
                                    + " %.0f ns/row; the raw loop %.0f ns/row. A sink doing the"
                                    + " raw loop's work on the task thread, after Flink's, would"
                                    + " reach %,.0f rows/s = %.2fx the raw appender at"
                                    + " parallelism 1.%n",
                            1e9 / flink.rowsPerSecond(),
                            1e9 / raw.rowsPerSecond(),
                            serial,
                            serial / raw.rowsPerSecond()));
        }
        Result perMessage = results.get("transform-per-message");
        if (perMessage != null) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nTransform (seed orders.sql + purchases.sql, one DuckDB, 1 thread):%n"
                                    + "| variant | messages | messages/s | vs per message | p99 batch time | p99 latency (fill + run) | target (>= 50x, p99 < 1 s) | check |%n"
                                    + "|---|---:|---:|---:|---:|---:|---|---|%n"
                                    + "| per message | %,d | %,.0f | 1.0x | - | - | baseline | %s |%n",
                            perMessage.rows,
                            perMessage.rowsPerSecond(),
                            perMessage.check));
            for (Result r : results.values()) {
                if (!r.name.startsWith("transform-batched-")) {
                    continue;
                }
                int size = Integer.parseInt(r.name.substring("transform-batched-".length()));
                double ratio = r.rowsPerSecond() / perMessage.rowsPerSecond();
                // At full speed a batch fills in about the time the previous one took to run.
                long fillMillis = Math.round(size / r.rowsPerSecond() * 1000);
                long latency = r.p99Millis + fillMillis;
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "| batches of %,d | %,d | %,.0f | %.1fx | %d ms | %d ms | %s | %s |%n",
                                size,
                                r.rows,
                                r.rowsPerSecond(),
                                ratio,
                                r.p99Millis,
                                latency,
                                ratio >= 50 && latency < 1000 ? "yes" : "no",
                                r.check));
            }
        }
        Result raw2 = results.get("pipeline-raw-consumer");
        Result otter = results.get("pipeline-otter");
        if (raw2 != null && otter != null) {
            double ratio = otter.rowsPerSecond() / raw2.rowsPerSecond();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nPipeline (RabbitMQ -> seed models -> Parquet, prefetch %d, acks every %d ms, parallelism 1):%n"
                                    + "| variant | messages | messages/s | ratio | target | met |%n"
                                    + "|---|---:|---:|---:|---|---|%n"
                                    + "| raw consumer, same prefetch and ack rhythm | %,d | %,.0f | 1.00x | baseline | - |%n"
                                    + "| otter pipeline (rows readable in Parquet) | %,d | %,.0f | %.2fx | >= 0.8x | %s |%n"
                                    + "Latency from publish to a readable Parquet row (median of 10, idle pipeline): %d ms%n",
                            PipelineBenchmark.PREFETCH,
                            PipelineBenchmark.ACK_INTERVAL_MS,
                            raw2.rows,
                            raw2.rowsPerSecond(),
                            otter.rows,
                            otter.rowsPerSecond(),
                            ratio,
                            ratio >= 0.8 ? "yes" : "no",
                            otter.p99Millis));
        }
        Result otter2 = results.get("pipeline-otter-p2");
        if (otter != null && otter2 != null) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| otter pipeline, parallelism 2 (two competing consumers) | %,d | %,.0f | %.2fx of parallelism 1 | - | - |%n",
                            otter2.rows,
                            otter2.rowsPerSecond(),
                            otter2.rowsPerSecond() / otter.rowsPerSecond()));
        }
        Result append = results.get("sql-append-eo-p1");
        Result upsert = results.get("sql-upsert-eo-p1");
        if (append != null && upsert != null) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nUpsert (SQL, PRIMARY KEY, 20%% updates, exactly-once, parallelism 1): %,.0f rows/s, %.2fx the SQL append of the same rows (%,.0f rows/s)%n",
                            upsert.rowsPerSecond(),
                            upsert.rowsPerSecond() / append.rowsPerSecond(),
                            append.rowsPerSecond()));
        }
        Result m1 = results.get("memory:duckdb-typed-alo-p1");
        Result m4 = results.get("memory:duckdb-typed-alo-p1-4x");
        if (m1 != null && m4 != null) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nMemory (typed, at-least-once, parallelism 1, -Xmx1g, ParallelGC):%n"
                                    + "| rows | live heap after GC (max) | heap used (max) | process RSS (max) |%n"
                                    + "|---:|---:|---:|---:|%n"
                                    + "| %,d | %d MB | %d MB | %d MB |%n"
                                    + "| %,d | %d MB | %d MB | %d MB |%n"
                                    + "Live heap for 4x the rows: %.2fx (target: does not grow with total rows) -> %s%n",
                            m1.rows,
                            m1.maxLiveHeapMb,
                            m1.maxHeapMb,
                            m1.rssMb,
                            m4.rows,
                            m4.maxLiveHeapMb,
                            m4.maxHeapMb,
                            m4.rssMb,
                            (double) m4.maxLiveHeapMb / Math.max(1, m1.maxLiveHeapMb),
                            m4.maxLiveHeapMb
                                            <= Math.max(
                                                    m1.maxLiveHeapMb * 1.5, m1.maxLiveHeapMb + 16)
                                    ? "yes"
                                    : "no"));
        }
        return sb.toString();
    }

    static String target(String name) {
        if (name.startsWith("duckdb-typed-alo")) {
            return ">= 0.7x raw, >= 50x JdbcSink";
        }
        if (name.startsWith("duckdb-typed-eo")) {
            return ">= 0.6x raw, >= 50x JdbcSink";
        }
        if (name.startsWith("duckdb-maps")) {
            return ">= 0.3x raw, >= 50x JdbcSink";
        }
        if (name.startsWith("sql-")) {
            return "report (upsert vs append below)";
        }
        if (name.equals("flink-discarding")) {
            return "profile: the same source, no sink";
        }
        return "baseline";
    }

    static String met(String name, double vsRaw, double vsJdbc) {
        double min;
        if (name.startsWith("duckdb-typed-alo")) {
            min = 0.7;
        } else if (name.startsWith("duckdb-typed-eo")) {
            min = 0.6;
        } else if (name.startsWith("duckdb-maps")) {
            min = 0.3;
        } else {
            return "-";
        }
        return vsRaw >= min && vsJdbc >= 50 ? "yes" : "no";
    }
}
