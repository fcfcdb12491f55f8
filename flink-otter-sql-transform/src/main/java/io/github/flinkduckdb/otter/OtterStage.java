package io.github.flinkduckdb.otter;

import org.apache.flink.annotation.PublicEvolving;

import java.util.Locale;

/** Where a message failed; carried by every {@link OtterDeadLetter}. */
@PublicEvolving
public enum OtterStage {
    /** The message is not JSON, not an object, or a value does not fit the incoming schema. */
    PARSE,
    /** A model failed for the message (e.g. a cast of a bad value); other models still ran. */
    TRANSFORM,
    /** A row of the model does not fit the model's output schema. */
    CONVERT;

    /** {@code parse}, {@code transform} or {@code convert}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
