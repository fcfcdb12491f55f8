package io.github.flinkduckdb.otter.internal;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The keys of the objects inside a value walked token by token (an undeclared or a JSON field): a
 * key met twice in one object rejects the message, as in the declared ones. A set is made only for
 * an object that has keys; arrays and empty objects cost a marker on the stack.
 */
final class DuplicateKeys {

    private static final Set<String> NONE = Set.of();

    /** The objects and arrays open around the current token; made at the first one. */
    private ArrayDeque<Set<String>> open;

    /** Follows the walk at token {@code t}, the parser's current one. */
    void track(JsonParser p, JsonToken t) throws IOException, MessageRejectedException {
        if (t == null) {
            return;
        }
        switch (t) {
            case START_OBJECT:
            case START_ARRAY:
                if (open == null) {
                    open = new ArrayDeque<>();
                }
                open.push(NONE);
                return;
            case END_OBJECT:
            case END_ARRAY:
                open.pop();
                return;
            case FIELD_NAME:
                Set<String> names = open.peek();
                if (names == NONE) {
                    names = new HashSet<>();
                    open.pop();
                    open.push(names);
                }
                String name = p.currentName();
                if (!names.add(name)) {
                    throw rejection(p, name);
                }
                return;
            default:
        }
    }

    /**
     * The rejection of a key met twice in one object, worded as Jackson's own and placed at the
     * start of the second key (the parser's current token).
     */
    static MessageRejectedException rejection(JsonParser p, String name) {
        return new MessageRejectedException(
                "malformed JSON at "
                        + MessageRejections.where(p.currentTokenLocation())
                        + ": Duplicate field '"
                        + name
                        + "'");
    }
}
