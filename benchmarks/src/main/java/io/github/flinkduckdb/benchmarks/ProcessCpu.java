package io.github.flinkduckdb.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** CPU time of this JVM and of the local RabbitMQ broker, for the pipeline case. */
final class ProcessCpu {

    private ProcessCpu() {}

    /**
     * CPU seconds used so far by this JVM and by the RabbitMQ broker (an Erlang {@code beam.smp}
     * process on this machine; 0 for a broker elsewhere or inside this JVM).
     */
    static double[] cpuSeconds() {
        double jvm =
                ((com.sun.management.OperatingSystemMXBean)
                                        java.lang.management.ManagementFactory
                                                .getOperatingSystemMXBean())
                                .getProcessCpuTime()
                        / 1e9;
        return new double[] {jvm, brokerCpuSeconds()};
    }

    /** The CPU seconds of this JVM and of the broker since {@code before}. */
    static double[] since(double[] before) {
        double[] now = cpuSeconds();
        return new double[] {now[0] - before[0], now[1] - before[1]};
    }

    /**
     * The groups of this JVM's threads the pipeline table splits its CPU into, by the thread's name
     * as Linux keeps it (its first 15 characters); the JVM's CPU not in a group is "other" (Flink's
     * runtime threads, DuckDB's native threads, the benchmark's own, threads that ended).
     */
    static final String[][] THREAD_GROUPS = {
        {"source", "Source: "},
        {"parquet", "Parquet: "},
        {"client", "AMQP Connection", "pool-"},
        {"jit", "C1 CompilerThre", "C2 CompilerThre"},
        {"gc", "GC Thread", "VM Thread"},
    };

    /** The CPU seconds each of this JVM's live threads has used so far, by thread id. */
    static Map<String, double[]> threads() {
        Map<String, double[]> out = new LinkedHashMap<>();
        Path tasks = Paths.get("/proc/self/task");
        try (Stream<Path> ids = Files.list(tasks)) {
            ids.forEach(
                    id -> {
                        try {
                            String stat =
                                    new String(
                                            Files.readAllBytes(id.resolve("stat")),
                                            StandardCharsets.UTF_8);
                            String name =
                                    stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                            out.put(
                                    id.getFileName() + "|" + name,
                                    new double[] {group(name), statCpuSeconds(stat)});
                        } catch (Exception gone) {
                            // the thread ended
                        }
                    });
        } catch (Exception noProc) {
            // not Linux: no split
        }
        return out;
    }

    /** The index of a thread's group in {@link #THREAD_GROUPS}, or -1 for "other". */
    static int group(String threadName) {
        for (int g = 0; g < THREAD_GROUPS.length; g++) {
            for (int p = 1; p < THREAD_GROUPS[g].length; p++) {
                if (threadName.startsWith(THREAD_GROUPS[g][p])) {
                    return g;
                }
            }
        }
        return -1;
    }

    /**
     * The CPU seconds of each thread group between two {@link #threads} snapshots; "other" is what
     * the JVM used besides ({@code jvmSeconds} minus the groups).
     */
    static Map<String, Double> groupsSince(
            Map<String, double[]> before, Map<String, double[]> after, double jvmSeconds) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String[] g : THREAD_GROUPS) {
            out.put(g[0], 0.0);
        }
        double grouped = 0;
        for (Map.Entry<String, double[]> t : after.entrySet()) {
            int g = (int) t.getValue()[0];
            if (g < 0) {
                continue;
            }
            double[] was = before.get(t.getKey());
            double used = t.getValue()[1] - (was == null ? 0 : was[1]);
            out.merge(THREAD_GROUPS[g][0], used, Double::sum);
            grouped += used;
        }
        out.put("other", Math.max(0, jvmSeconds - grouped));
        return out;
    }

    /** User and system CPU seconds of a process's or thread's {@code stat} line. */
    private static double statCpuSeconds(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // utime and stime, fields 14 and 15 of stat, in clock ticks of 1/100 s.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    static double brokerCpuSeconds() {
        double total = 0;
        java.io.File[] procs = new java.io.File("/proc").listFiles();
        if (procs == null) {
            return 0;
        }
        for (java.io.File proc : procs) {
            if (!proc.getName().chars().allMatch(Character::isDigit)) {
                continue;
            }
            try {
                String cmdline =
                        new String(
                                Files.readAllBytes(proc.toPath().resolve("cmdline")),
                                StandardCharsets.UTF_8);
                if (!cmdline.contains("beam.smp") || !cmdline.contains("rabbit")) {
                    continue;
                }
                String stat =
                        new String(
                                Files.readAllBytes(proc.toPath().resolve("stat")),
                                StandardCharsets.UTF_8);
                total += statCpuSeconds(stat);
            } catch (Exception gone) {
                // the process ended or is not readable
            }
        }
        return total;
    }

    /**
     * Waits until the broker has used under a tenth of a core for half a second (at most 10 s):
     * messages published just before are written to its store in the background, which would
     * otherwise slow whichever variant runs first.
     */
    static void awaitQuietBroker() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            double before = brokerCpuSeconds();
            Thread.sleep(500);
            if (brokerCpuSeconds() - before < 0.05) {
                return;
            }
        }
    }
}
