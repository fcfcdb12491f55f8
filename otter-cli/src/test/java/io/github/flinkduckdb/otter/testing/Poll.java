package io.github.flinkduckdb.otter.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition with a deadline (no sleeps as synchronization). */
public final class Poll {

    private Poll() {}

    public static void until(String what, Duration timeout, Callable<Boolean> condition)
            throws Exception {
        until(what, timeout, condition, () -> null);
    }

    /**
     * As {@link #until(String, Duration, Callable)}; on timeout the error also says what {@code
     * state} reads then (e.g. the offsets and the run's state), so a failure in CI names where the
     * run stood.
     */
    public static void until(
            String what, Duration timeout, Callable<Boolean> condition, Callable<?> state)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        String seen;
        try {
            Object now = state.call();
            seen = now == null ? "" : "; then: " + now;
        } catch (Exception e) {
            seen = "; then: (cannot read the state: " + e + ")";
        }
        AssertionError e =
                new AssertionError("Timed out after " + timeout + " waiting for " + what + seen);
        if (last != null) {
            e.initCause(last);
        }
        throw e;
    }
}
