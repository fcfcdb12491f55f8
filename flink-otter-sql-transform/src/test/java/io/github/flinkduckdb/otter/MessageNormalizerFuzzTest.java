package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.JsonLimits;
import io.github.flinkduckdb.otter.internal.MessageNormalizer;
import io.github.flinkduckdb.otter.internal.MessageRejectedException;
import io.github.flinkduckdb.otter.model.IncomingSchema;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile JSON against a declared schema: every message is either normalized or rejected with a
 * {@link MessageRejectedException} (a dead letter), never another exception or a hang. A normalized
 * message has exactly the declared fields and normalizes to itself (what DuckDB loads is what the
 * rules let through, nothing rounded or dropped on the way). Small limits let the fuzzer reach
 * them.
 */
class MessageNormalizerFuzzTest {

    private static final IncomingSchema SCHEMA =
            IncomingSchema.parse(
                    "id BIGINT, price DECIMAL(10,2), score DOUBLE, small TINYINT, flag BOOLEAN,"
                            + " label VARCHAR, day DATE, at TIMESTAMP, tags VARCHAR[], pair"
                            + " INTEGER[2], nested STRUCT(k BIGINT, v VARCHAR), attrs MAP(VARCHAR,"
                            + " BIGINT), doc JSON, kind ENUM('a', 'b')");
    private static final MessageNormalizer NORMALIZER =
            new MessageNormalizer(SCHEMA, new JsonLimits(8, 40, 200));
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({
        "{\"id\":",
        "\"price\":",
        "\"score\":",
        "\"small\":",
        "\"flag\":",
        "\"label\":",
        "\"day\":",
        "\"at\":",
        "\"tags\":",
        "\"pair\":",
        "\"nested\":",
        "\"k\":",
        "\"v\":",
        "\"attrs\":",
        "\"doc\":",
        "\"kind\":",
        "\"a\"",
        "1e400",
        "-0.0",
        "2.50",
        "\"1.5\"",
        "9223372036854775808",
        "\"2026-11-01 10:00:00+02\"",
        "\"\\ud800\"",
        "[[[[",
        "null",
        "true"
    })
    void jsonIsNormalizedOrRejected(byte[] input) throws Exception {
        String normalized;
        try {
            normalized = NORMALIZER.normalize(input);
        } catch (MessageRejectedException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        JsonNode tree = MAPPER.readTree(normalized);
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        List<String> declared = new ArrayList<>();
        SCHEMA.fields().forEach(f -> declared.add(f.name()));
        assertThat(names).containsExactlyInAnyOrderElementsOf(declared);
        assertThat(NORMALIZER.normalize(normalized.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(normalized);
    }
}
