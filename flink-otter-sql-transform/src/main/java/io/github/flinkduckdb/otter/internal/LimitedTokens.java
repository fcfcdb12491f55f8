package io.github.flinkduckdb.otter.internal;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

import static io.github.flinkduckdb.otter.internal.MessageRejections.field;

/**
 * The {@link JsonLimits} of {@link MessageNormalizer}, checked token by token as the message
 * streams through, and the iterative skip and copy of values whose depth the schema does not bound
 * (undeclared fields, JSON fields): a document nested 10^5 levels costs no stack and is rejected at
 * the first level over the limit.
 */
final class LimitedTokens {

    private final JsonLimits limits;

    LimitedTokens(JsonLimits limits) {
        this.limits = limits;
    }

    /**
     * Skips the value at the parser's current token (an undeclared field), checking the limits on
     * every token in it; iterative, so a deep document costs no stack.
     */
    void skip(JsonParser p, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        walk(p, null, path, depth);
    }

    /**
     * Copies the value at the parser's current token (a JSON field) as it is, numbers digit for
     * digit, checking the limits on every token; iterative like {@link #skip}.
     */
    void copy(JsonParser p, JsonGenerator g, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        walk(p, g, path, depth);
    }

    /** Walks the value at the current token to its end, writing each token to {@code g} if any. */
    private void walk(JsonParser p, JsonGenerator g, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        int open = 0;
        DuplicateKeys keys = new DuplicateKeys();
        JsonToken t = p.currentToken();
        while (true) {
            check(p, path, depth + open);
            keys.track(p, t);
            if (g == null) {
                // skipping
            } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                // As written: Jackson 2.14's copyCurrentEvent goes through double, which rounds
                // 1.00000000000000000001 to 1.0 and turns 1e400 into the string "Infinity".
                g.writeNumber(p.getText());
            } else {
                g.copyCurrentEvent(p);
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                open++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                open--;
            }
            if (open == 0) {
                return;
            }
            t = p.nextToken();
            if (t == null) {
                throw new IOException("the message ends inside " + field(path));
            }
        }
    }

    /**
     * Rejects the current token when it breaks a {@link JsonLimits limit}; {@code depth} is the
     * nesting depth of the object or array that holds it.
     */
    void check(JsonParser p, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return;
        }
        switch (t) {
            case START_OBJECT:
            case START_ARRAY:
                if (depth + 1 > limits.maxNestingDepth()) {
                    throw new MessageRejectedException(
                            "the JSON nesting depth "
                                    + (depth + 1)
                                    + " at "
                                    + field(path)
                                    + " exceeds the limit of "
                                    + limits.maxNestingDepth()
                                    + " (maxJsonNestingDepth)");
                }
                return;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                if (p.getTextLength() > limits.maxNumberLength()) {
                    throw new MessageRejectedException(
                            field(path)
                                    + ": number value length "
                                    + p.getTextLength()
                                    + " exceeds the limit of "
                                    + limits.maxNumberLength()
                                    + " (maxJsonNumberLength)");
                }
                return;
            case VALUE_STRING:
            case FIELD_NAME:
                if (p.getTextLength() > limits.maxStringLength()) {
                    throw new MessageRejectedException(
                            what(t, path)
                                    + ": string value length "
                                    + p.getTextLength()
                                    + " exceeds the limit of "
                                    + limits.maxStringLength()
                                    + " (maxJsonStringLength)");
                }
                if (hasUnpairedSurrogate(
                        p.getTextCharacters(), p.getTextOffset(), p.getTextLength())) {
                    // The escape \\ud800 parses, but UTF-8 cannot hold it: DuckDB would get "?"
                    // instead.
                    throw new MessageRejectedException(
                            what(t, path)
                                    + ": the text is not valid Unicode (an unpaired surrogate)");
                }
                return;
            default:
        }
    }

    /** What holds a string token, for a message; built only when a limit is broken. */
    private static String what(JsonToken t, FieldPath path) {
        if (t == JsonToken.VALUE_STRING) {
            return field(path);
        }
        return path.isEmpty() ? "a field name" : "a field name in " + field(path);
    }

    private static boolean hasUnpairedSurrogate(char[] chars, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
