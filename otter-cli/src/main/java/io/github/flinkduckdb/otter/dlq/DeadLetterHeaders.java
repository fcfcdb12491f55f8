package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.OtterDeadLetter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers a dead letter carries next to its unchanged body, in RabbitMQ and Kafka alike: {@code
 * x-otter-error}, {@code x-otter-model} (absent for stage parse), {@code x-otter-stage} ({@code
 * parse}, {@code transform}, {@code convert}), {@code x-otter-source}, {@code x-otter-partition},
 * {@code x-otter-offset} (Kafka offset or RabbitMQ delivery tag), {@code x-otter-message-id}.
 */
public final class DeadLetterHeaders {

    public static final String ERROR = "x-otter-error";
    public static final String MODEL = "x-otter-model";
    public static final String STAGE = "x-otter-stage";
    public static final String SOURCE = "x-otter-source";
    public static final String PARTITION = "x-otter-partition";
    public static final String OFFSET = "x-otter-offset";
    public static final String MESSAGE_ID = "x-otter-message-id";

    /** Errors longer than this are cut (headers are small; the full text is in the job log). */
    static final int MAX_ERROR_CHARS = 8000;

    private DeadLetterHeaders() {}

    /** The headers of {@code letter} as text, in a stable order; absent values are left out. */
    public static Map<String, String> of(OtterDeadLetter letter) {
        Map<String, String> h = new LinkedHashMap<>();
        String error = letter.getError() == null ? "" : letter.getError();
        if (error.length() > MAX_ERROR_CHARS) {
            error = error.substring(0, MAX_ERROR_CHARS) + "...";
        }
        h.put(ERROR, error);
        if (letter.getModel() != null) {
            h.put(MODEL, letter.getModel());
        }
        h.put(STAGE, letter.getStage() == null ? "" : letter.getStage().label());
        if (letter.getSource() != null) {
            h.put(SOURCE, letter.getSource());
        }
        if (letter.getPartition() != null) {
            h.put(PARTITION, String.valueOf(letter.getPartition()));
        }
        if (letter.getOffset() != null) {
            h.put(OFFSET, String.valueOf(letter.getOffset()));
        }
        if (letter.getMessageId() != null) {
            h.put(MESSAGE_ID, letter.getMessageId());
        }
        return h;
    }
}
