package io.github.flinkduckdb.otter.internal;

import org.apache.flink.annotation.Internal;

/**
 * A message that does not fit the declared incoming schema (or is no JSON object). The message
 * names the field and the expected type, never the value; it has no stack trace because it is an
 * expected outcome, turned into a dead-letter record.
 */
@Internal
public final class MessageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public MessageRejectedException(String message) {
        super(message, null, false, false);
    }
}
