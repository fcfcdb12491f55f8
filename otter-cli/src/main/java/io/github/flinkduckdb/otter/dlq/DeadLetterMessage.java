package io.github.flinkduckdb.otter.dlq;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A message found in a dead-letter queue, topic or folder: its body as it was received and its
 * headers ({@code x-otter-error}, {@code x-otter-model}, {@code x-otter-stage}, ...).
 *
 * @param position where it sits: {@code 3} (queue position), {@code orders.dlq/0@17} (Kafka), or a
 *     file and row
 * @param body the original message body
 * @param headers the dead-letter headers
 */
public record DeadLetterMessage(String position, byte[] body, Map<String, String> headers) {

    public DeadLetterMessage {
        headers = Map.copyOf(headers);
    }

    public String bodyText() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
        return headers.getOrDefault(name, "");
    }
}
