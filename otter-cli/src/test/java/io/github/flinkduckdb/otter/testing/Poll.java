package io.github.flinkduckdb.otter.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition with a deadline (no sleeps as synchronization). */
public final class Poll {

    private Poll() {}

    public static void until(String what, Duration timeout, Callable<Boolean> condition)
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
        AssertionError e =
                new AssertionError("Timed out after " + timeout + " waiting for " + what);
        if (last != null) {
            e.initCause(last);
        }
        throw e;
    }
}
