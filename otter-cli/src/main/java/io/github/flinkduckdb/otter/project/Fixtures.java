package io.github.flinkduckdb.otter.project;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads sample messages from a fixture file: one JSON object (one message), a JSON array of
 * messages, or JSON lines (one message per non-blank line). Messages keep their exact text; a line
 * that is not valid JSON stays a message (to see how it is dead-lettered).
 */
public final class Fixtures {

    private static final JsonFactory JSON = new JsonFactory();

    private Fixtures() {}

    /**
     * The messages of {@code file}.
     *
     * @throws NoSuchFileException when the file does not exist
     */
    public static List<String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "fixture file not found");
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> whole = wholeDocument(text);
        if (whole != null) {
            return whole;
        }
        List<String> messages = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (!line.trim().isEmpty()) {
                messages.add(line);
            }
        }
        return messages;
    }

    /** The messages if {@code text} is exactly one JSON object or array; null otherwise. */
    private static List<String> wholeDocument(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                p.skipChildren();
                if (p.nextToken() != null) {
                    return null; // several objects: JSON lines
                }
                return List.of(text.trim());
            }
            if (first != JsonToken.START_ARRAY) {
                return null;
            }
            List<String> out = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    return null;
                }
                int start = (int) p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getCharOffset();
                out.add(text.substring(start, end));
            }
            if (p.nextToken() != null) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }
}
