package io.github.flinkduckdb.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

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
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // utime and stime, fields 14 and 15 of stat, in clock ticks of 1/100 s.
                total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
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
