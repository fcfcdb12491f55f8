package io.github.flinkduckdb.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs benchmark cases in a JVM of their own ({@link BenchmarkCase}, with the suite's heap and GC
 * settings and the benchmark classpath) and reads back the {@code RESULT|...} and {@code DONE|...}
 * lines it prints.
 */
final class CaseJvms {

    private CaseJvms() {}

    /** Runs the slots in one JVM, in order; returns the results of each slot. */
    static List<List<Result>> fork(List<BenchmarkSuite.Slot> slots, Path work) throws Exception {
        return fork(slots, work, List.of());
    }

    /** Runs the slots in one JVM started with {@code jvmArgs}; returns each slot's results. */
    static List<List<Result>> fork(List<BenchmarkSuite.Slot> slots, Path work, List<String> jvmArgs)
            throws Exception {
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
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(BenchmarkCase.class.getName());
        cmd.add(work.toAbsolutePath().toString());
        StringBuilder names = new StringBuilder();
        for (BenchmarkSuite.Slot slot : slots) {
            cmd.add(slot.name);
            cmd.add(String.valueOf(slot.rows));
            names.append(names.length() == 0 ? "" : ", ").append(slot.name);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<List<Result>> bySlot = new ArrayList<>();
        List<Result> current = new ArrayList<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT|")) {
                    current.add(parse(line));
                } else if (line.startsWith("DONE|")) {
                    bySlot.add(current);
                    current = new ArrayList<>();
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        int exit = p.waitFor();
        boolean complete = bySlot.size() == slots.size();
        for (List<Result> results : bySlot) {
            complete &= !results.isEmpty();
        }
        if (exit != 0 || !complete) {
            throw new IllegalStateException(
                    "Benchmark run of " + names + " failed (exit " + exit + "):\n" + output);
        }
        return bySlot;
    }

    private static Result parse(String line) {
        String[] f = line.split("\\|");
        return new Result(
                f[1],
                Long.parseLong(f[2]),
                Double.parseDouble(f[3]),
                Long.parseLong(f[4]),
                Long.parseLong(f[5]),
                f[6],
                Long.parseLong(f[7]),
                Long.parseLong(f[8]),
                f.length > 10 ? Long.parseLong(f[9]) : 0,
                f.length > 10 ? Double.parseDouble(f[10]) : 0);
    }
}
