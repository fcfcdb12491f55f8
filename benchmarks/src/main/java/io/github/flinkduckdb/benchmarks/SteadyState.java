package io.github.flinkduckdb.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The steady part of a run: the rows generated after the first quarter, and the time from that
 * moment to the end of the run (the last commit included). The first quarter holds what a streaming
 * job pays once, not per row: the job's deployment, opening the database, and the JIT compiling
 * Flink's and the sink's code, which on two cores competes with the run itself.
 *
 * <p>Sources call {@link #row} with each generated row's index (or {@link #rows} per batch); the
 * count is kept in steps of a power of two, so the hot path is a mask test. One case runs at a time
 * per JVM; the generators run in the same JVM (a MiniCluster), so static state serves.
 */
final class SteadyState {

    private static final AtomicLong GENERATED = new AtomicLong();
    private static final AtomicLong MARK_NANOS = new AtomicLong();
    private static volatile long step = 1;
    private static volatile long mark = Long.MAX_VALUE;
    private static volatile long markedRows;

    private SteadyState() {}

    /** Starts counting a run of {@code rows} rows. */
    static void start(long rows) {
        GENERATED.set(0);
        MARK_NANOS.set(0);
        markedRows = 0;
        step = Long.highestOneBit(Math.max(1, rows / 64));
        mark = rows / 4;
    }

    /** Row {@code index} (0-based) was generated. */
    static void row(long index) {
        long s = step;
        if (((index + 1) & (s - 1)) == 0) {
            add(s);
        }
    }

    /** {@code n} rows were generated at once. */
    static void rows(long n) {
        add(n);
    }

    private static void add(long n) {
        long count = GENERATED.addAndGet(n);
        if (count >= mark
                && MARK_NANOS.get() == 0
                && MARK_NANOS.compareAndSet(0, System.nanoTime())) {
            markedRows = count;
        }
    }

    /**
     * {@code steadyRows|steadySeconds} of the run of {@code rows} rows that ends now, or {@code
     * 0|0} when the mark was not passed.
     */
    static String end(long rows) {
        long now = System.nanoTime();
        long at = MARK_NANOS.get();
        if (at == 0 || markedRows >= rows) {
            return "0|0";
        }
        return String.format(java.util.Locale.ROOT, "%d|%.3f", rows - markedRows, (now - at) / 1e9);
    }
}
