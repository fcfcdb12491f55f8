package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.OtterDeadLetter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Dead letters waiting for their checkpoint, as JSON text in Flink state (body base64), together
 * with the checkpoint that publishes them.
 */
final class DeadLetterJson {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private DeadLetterJson() {}

    /** A dead letter and the checkpoint whose completion publishes it. */
    record Pending(long checkpointId, OtterDeadLetter letter) {}

    static String write(Pending pending) {
        try {
            return MAPPER.writeValueAsString(pending);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a dead letter to state", e);
        }
    }

    static Pending read(String json) {
        try {
            return MAPPER.readValue(json, Pending.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "Cannot read a dead letter from state: " + e.getOriginalMessage(), e);
        }
    }
}
