package io.github.flinkduckdb.otter.project;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as people write them: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
public final class Durations {

    private static final Pattern SIMPLE =
            Pattern.compile("(\\d+)\\s*(ms|millis|s|sec|secs|seconds|m|min|minutes|h|hours)?");

    private Durations() {}

    /**
     * Parses {@code text}: a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h}; no
     * unit means milliseconds) or an ISO-8601 duration ({@code PT10S}).
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            switch (unit) {
                case "ms":
                case "millis":
                    return Duration.ofMillis(n);
                case "s":
                case "sec":
                case "secs":
                case "seconds":
                    return Duration.ofSeconds(n);
                case "m":
                case "min":
                case "minutes":
                    return Duration.ofMinutes(n);
                default:
                    return Duration.ofHours(n);
            }
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "expected a duration such as 500ms, 10s, 5m or PT10S, got \"" + text + "\"");
        }
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
