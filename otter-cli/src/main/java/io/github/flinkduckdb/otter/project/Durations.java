package io.github.flinkduckdb.otter.project;

import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses durations as people write them, with Flink's {@link TimeUtils}: {@code 500ms}, {@code
 * 10s}, {@code 5m} or {@code 5min}, {@code 1h}, {@code 1d}; also an ISO-8601 {@code PT10S}. A
 * duration that does not fit in a {@code long} of milliseconds is rejected, never wrapped.
 */
public final class Durations {

    private Durations() {}

    /**
     * Parses {@code text}: a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h},
     * {@code d} and their long forms; no unit means milliseconds) or an ISO-8601 duration ({@code
     * PT10S}).
     *
     * @throws IllegalArgumentException naming {@code text} when it is not a duration or too large
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        Duration d;
        if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P") || t.startsWith("-p")) {
            try {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(expected(text), e);
            }
        } else {
            try {
                d = TimeUtils.parseDuration(t);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(tooLarge(text), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        parsesWithASmallerNumber(t) ? tooLarge(text) : expected(text), e);
            }
        }
        try {
            d.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(tooLarge(text), e);
        }
        return d;
    }

    /** Whether only the size of the number made {@code t} fail (a valid unit follows it). */
    private static boolean parsesWithASmallerNumber(String t) {
        String one = t.replaceFirst("^[0-9]+", "1");
        if (one.equals(t)) {
            return false;
        }
        try {
            TimeUtils.parseDuration(one);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String expected(String text) {
        return "expected a duration such as 500ms, 10s, 5m or PT10S, got \"" + text + "\"";
    }

    private static String tooLarge(String text) {
        return "the duration \"" + text + "\" is too large (at most 292 million years)";
    }

    /** {@code 1m30s}-style text for messages. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
