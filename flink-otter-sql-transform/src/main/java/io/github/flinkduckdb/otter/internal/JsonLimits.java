package io.github.flinkduckdb.otter.internal;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/**
 * Read limits for an incoming JSON message, checked while it streams through {@link
 * MessageNormalizer}: a message that exceeds one is a dead letter (stage parse). Flink 1.20's
 * shaded Jackson 2.14 has no read constraints of its own, so without these a megabyte of digits
 * costs seconds of {@code BigInteger} parsing and a deeply nested document is copied level by
 * level. The defaults are those of Jackson 2.15 and later (which Flink 2.x shades), so both lines
 * reject the same messages.
 */
@Internal
public final class JsonLimits implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_NESTING_DEPTH = 1000;
    public static final int DEFAULT_MAX_NUMBER_LENGTH = 1000;
    public static final int DEFAULT_MAX_STRING_LENGTH = 20_000_000;

    private static final JsonLimits DEFAULTS =
            new JsonLimits(
                    DEFAULT_MAX_NESTING_DEPTH,
                    DEFAULT_MAX_NUMBER_LENGTH,
                    DEFAULT_MAX_STRING_LENGTH);

    private final int maxNestingDepth;
    private final int maxNumberLength;
    private final int maxStringLength;

    public JsonLimits(int maxNestingDepth, int maxNumberLength, int maxStringLength) {
        this.maxNestingDepth = positive("maxJsonNestingDepth", maxNestingDepth);
        this.maxNumberLength = positive("maxJsonNumberLength", maxNumberLength);
        this.maxStringLength = positive("maxJsonStringLength", maxStringLength);
    }

    public static JsonLimits defaults() {
        return DEFAULTS;
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    /** Objects and arrays nested deeper than this (the message's object is depth 1). */
    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /** Characters of one number literal, sign, fraction and exponent included. */
    public int maxNumberLength() {
        return maxNumberLength;
    }

    /** Characters of one string value or field name. */
    public int maxStringLength() {
        return maxStringLength;
    }

    @Override
    public String toString() {
        return "JsonLimits{maxNestingDepth="
                + maxNestingDepth
                + ", maxNumberLength="
                + maxNumberLength
                + ", maxStringLength="
                + maxStringLength
                + "}";
    }
}
