package io.github.flinkduckdb.benchmarks;

import java.util.Locale;
import java.util.Map;

/**
 * A timed window of the pipeline case (the raw consumer's, or the pipeline's) and its steady part:
 * from the moment a quarter of the window's work is through (messages consumed, or orders readable
 * in Parquet) to its end, with the CPU this JVM and the broker used in that part.
 *
 * <p>The counterpart of the sink cases' {@link SteadyState}. Each pipeline variant starts a
 * MiniCluster and a job of its own, and the first seconds of its window hold what that costs once:
 * the tasks' first checkpoint, DuckDB's first model runs, and the JIT compiling the code of a new
 * MiniCluster and job (about 2,200 compilations in the first 10 s of the pipeline's window after a
 * full warm-up, 350 to 500 in each 10 s after). The raw consumer's window is measured the same way.
 *
 * <p>{@link #passed} is called by one thread (the consumer's delivery thread, or the pipeline's
 * poll); {@link #end} after it, by a thread that has seen its calls (a latch, or the same thread).
 */
final class TimedWindow {

    private final long messages;
    private final long total;
    private final boolean byThread;
    private final long startNanos;
    private final double[] startCpu;
    private final Map<String, double[]> startThreads;
    private volatile long markNanos;
    private long markCount;
    private double[] markCpu;
    private Map<String, double[]> markThreads;
    private double seconds;
    private double steadySeconds;
    private double[] cpu;
    private Map<String, Double> threads;

    /**
     * Starts the clock on a window of {@code messages} messages, in which {@code total} units are
     * counted (messages, or the orders among them); with {@code byThread}, the steady part's CPU is
     * also split by thread group ({@link ProcessCpu#groupsSince}).
     */
    TimedWindow(long messages, long total, boolean byThread) {
        this.messages = messages;
        this.total = total;
        this.byThread = byThread;
        this.startNanos = System.nanoTime();
        this.startCpu = ProcessCpu.cpuSeconds();
        this.startThreads = byThread ? ProcessCpu.threads() : null;
    }

    /** {@code count} of the window's {@code total} units are through. */
    void passed(long count) {
        if (markNanos == 0 && count >= total / 4 && count < total) {
            markCount = count;
            markCpu = ProcessCpu.cpuSeconds();
            markThreads = byThread ? ProcessCpu.threads() : null;
            markNanos = System.nanoTime();
        }
    }

    /** Ends the window: every unit is through. */
    void end() {
        long now = System.nanoTime();
        seconds = (now - startNanos) / 1e9;
        if (markNanos == 0) {
            // The count jumped from under a quarter to the end (a tiny run): no steady part; the
            // CPU is the whole window's.
            cpu = ProcessCpu.since(startCpu);
            if (byThread) {
                threads = ProcessCpu.groupsSince(startThreads, ProcessCpu.threads(), cpu[0]);
            }
            steadySeconds = 0;
            return;
        }
        steadySeconds = (now - markNanos) / 1e9;
        cpu = ProcessCpu.since(markCpu);
        if (byThread) {
            threads = ProcessCpu.groupsSince(markThreads, ProcessCpu.threads(), cpu[0]);
        }
    }

    /** The whole window. */
    double seconds() {
        return seconds;
    }

    /** Messages in the steady part (0 without one): its units, in messages. */
    long steadyMessages() {
        return markNanos == 0 ? 0 : Math.round((double) (total - markCount) * messages / total);
    }

    /**
     * CPU seconds (this JVM, the broker) per {@link #messages} messages at the steady part's rate
     * of use: the steady part's CPU scaled to the whole window's messages, so that CPU per message
     * is {@code seconds / messages} as before; the whole window's CPU without a steady part.
     */
    double[] cpuPerWindow() {
        double scale = markNanos == 0 ? 1 : (double) messages / steadyMessages();
        return new double[] {cpu[0] * scale, cpu[1] * scale};
    }

    /**
     * The steady part's CPU per thread group, scaled as {@link #cpuPerWindow} (the whole window's
     * without a steady part); null unless split by thread.
     */
    Map<String, Double> threadsPerWindow() {
        if (threads == null) {
            return null;
        }
        double scale = markNanos == 0 ? 1 : (double) messages / steadyMessages();
        Map<String, Double> scaled = new java.util.LinkedHashMap<>();
        threads.forEach((group, s) -> scaled.put(group, s * scale));
        return scaled;
    }

    /**
     * A result line: the whole window, then the steady part ({@code |steadyRows|steadySeconds}).
     */
    String result(String name, long p99Millis) {
        return String.format(
                Locale.ROOT,
                "RESULT|%s|%d|%.3f|0|0|ok|0|%d|%d|%.3f",
                name,
                messages,
                seconds,
                p99Millis,
                steadyMessages(),
                steadySeconds);
    }
}
