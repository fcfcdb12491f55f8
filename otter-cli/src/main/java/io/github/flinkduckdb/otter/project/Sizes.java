package io.github.flinkduckdb.otter.project;

import org.apache.flink.configuration.MemorySize;

/**
 * Parses byte sizes as people write them, with Flink's {@link MemorySize}: {@code 134217728},
 * {@code 128MB}, {@code 10 MiB}, {@code 1g}; units are powers of 1024, {@code _} may group digits.
 * A size that does not fit in a {@code long} is rejected, never wrapped.
 */
final class Sizes {

    private Sizes() {}

    /**
     * The number of bytes {@code text} stands for: a whole number with an optional unit ({@code b},
     * {@code k}/{@code kb}/{@code kib}, {@code m}/{@code mb}/{@code mib}, {@code g}/{@code
     * gb}/{@code gib}, {@code t}/{@code tb}/{@code tib}; any case).
     *
     * @throws IllegalArgumentException naming {@code text} when it is not a size or too large
     */
    static long parseBytes(String text) {
        // MemorySize knows kb, mb, gb, tb (all binary) but not the IEC spelling kib, mib, ...
        String t =
                (text == null ? "" : text.trim().replace("_", ""))
                        .replaceFirst("(?i)([kmgt])ib$", "$1b");
        try {
            return MemorySize.parseBytes(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    parsesWithASmallerNumber(t)
                            ? "the size \"" + text + "\" is too large (at most 8 EiB)"
                            : "expected a size in bytes such as 134217728 or 128MB, got \""
                                    + text
                                    + "\"",
                    e);
        }
    }

    /** Whether only the size of the number made {@code t} fail (a valid unit follows it). */
    private static boolean parsesWithASmallerNumber(String t) {
        String one = t.replaceFirst("^[0-9]+", "1");
        if (one.equals(t)) {
            return false;
        }
        try {
            MemorySize.parseBytes(one);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
