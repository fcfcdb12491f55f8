package io.github.flinkduckdb.otter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The seed's models, the orders fixture and its incoming schema, from the test resources. */
final class OtterFixtures {

    private OtterFixtures() {}

    static Path resource(String name) {
        try {
            return Paths.get(OtterFixtures.class.getResource("/otter/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path modelsDirectory() {
        return resource("models");
    }

    static String ordersSchema() {
        return read(resource("incoming-schema.txt"));
    }

    static List<String> orders() {
        List<String> lines = new ArrayList<>();
        for (String line : read(resource("fixtures/orders.jsonl")).split("\n")) {
            if (!line.trim().isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed transform: orders.sql and purchases.sql over the orders schema. */
    static OtterTransformBuilder seedTransform() {
        return OtterTransform.builder()
                .addModelsFromDirectory(modelsDirectory())
                .incomingSchema(ordersSchema());
    }
}
