package io.github.flinkduckdb.otter.internal;

import org.apache.flink.annotation.Internal;

/** Looks at the zone part of date/time text (DuckDB parses the rest). */
@Internal
final class TemporalText {

    private TemporalText() {}

    /**
     * Whether {@code text} carries a UTC offset or zone name other than UTC, e.g. {@code
     * 2026-11-01T10:00:00+02:00} or {@code 2026-11-01 10:00:00 Europe/Berlin}; {@code Z}, {@code
     * +00}, {@code +00:00}, {@code UTC} and {@code GMT} are UTC.
     */
    static boolean hasNonUtcZone(String text) {
        String s = text.trim();
        int firstColon = s.indexOf(':');
        if (firstColon < 0) {
            return false;
        }
        // Everything after the hour: minutes, seconds, fraction, then perhaps a zone.
        int i = firstColon;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isDigit(c) || c == ':' || c == '.') {
                i++;
            } else {
                break;
            }
        }
        String zone = s.substring(i).trim();
        if (zone.isEmpty()) {
            return false;
        }
        if (zone.startsWith("(")) {
            // "(BC)" and similar era markers, not a zone
            return false;
        }
        char first = zone.charAt(0);
        if (first == '+' || first == '-') {
            String digits = zone.substring(1).replace(":", "").trim();
            if (digits.isEmpty()) {
                return true;
            }
            for (int k = 0; k < digits.length(); k++) {
                if (digits.charAt(k) != '0') {
                    return true;
                }
            }
            return false;
        }
        String name = zone.toUpperCase(java.util.Locale.ROOT);
        return !(name.equals("Z") || name.equals("UTC") || name.equals("GMT"));
    }
}
