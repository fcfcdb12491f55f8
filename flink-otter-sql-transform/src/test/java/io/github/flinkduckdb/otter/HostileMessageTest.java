package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.JsonLimits;
import io.github.flinkduckdb.otter.internal.MessageNormalizer;
import io.github.flinkduckdb.otter.internal.MessageRejectedException;
import io.github.flinkduckdb.otter.model.IncomingSchema;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile sizes end as dead letters (stage parse) within milliseconds, through the transform's
 * dead-letter path: Flink 1.20's shaded Jackson 2.14 has no read constraints, so the normalizer's
 * {@link JsonLimits} are what stands between a megabyte of digits and seconds of {@code BigInteger}
 * parsing. On the Flink 2.x line Jackson's own constraints (the same numbers) may answer first, in
 * their words, hence the loose text checks on the default limits.
 */
class HostileMessageTest {

    private static final String SCHEMA =
            "id BIGINT, price DECIMAL(10,2), score DOUBLE, n INTEGER, label VARCHAR, doc JSON";

    /** Loose: the point is milliseconds, not seconds or a hang. */
    private static final long BOUND_MILLIS = 2000;

    private static OtterEngine engine;

    @BeforeAll
    static void open() throws Exception {
        engine =
                OtterTransform.builder()
                        .incomingSchema(SCHEMA)
                        .addModel("all", "SELECT id, CAST(doc AS VARCHAR) AS doc FROM incoming")
                        .build()
                        .openEngine();
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    private static String digits(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('1' + i % 9));
        }
        return sb.toString();
    }

    private static String nested(int levels) {
        StringBuilder sb = new StringBuilder(2 * levels);
        for (int i = 0; i < levels; i++) {
            sb.append('[');
        }
        for (int i = 0; i < levels; i++) {
            sb.append(']');
        }
        return sb.toString();
    }

    /** The dead letter's error for {@code message}, processed alone, within the time bound. */
    private static String deadLetter(String message) throws Exception {
        long start = System.nanoTime();
        List<OtterResult> results =
                engine.process(Collections.singletonList(OtterMessage.of(message)), 0);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(millis).as("milliseconds to reject").isLessThan(BOUND_MILLIS);
        OtterResult r = results.get(0);
        assertThat(r.rows(0)).isEmpty();
        assertThat(r.deadLetters()).hasSize(1);
        assertThat(r.deadLetters().get(0).getStage()).isEqualTo(OtterStage.PARSE);
        return r.deadLetters().get(0).getError();
    }

    @Test
    void aMegabyteOfDigitsIsADeadLetterWherever() throws Exception {
        String megabyte = digits(1_000_000);
        for (String field : new String[] {"id", "price", "score", "doc", "undeclared"}) {
            assertThat(deadLetter("{\"" + field + "\": " + megabyte + "}"))
                    .as(field)
                    .containsIgnoringCase("number value length")
                    .contains("1000");
            assertThat(deadLetter("{\"" + field + "\": 0." + megabyte + "}"))
                    .as(field)
                    .containsIgnoringCase("number value length");
        }
    }

    @Test
    void aHundredThousandLevelsAreADeadLetterWherever() throws Exception {
        String deep = nested(100_000);
        for (String field : new String[] {"doc", "undeclared"}) {
            assertThat(deadLetter("{\"" + field + "\": " + deep + "}"))
                    .as(field)
                    .containsIgnoringCase("nesting depth")
                    .contains("1000");
        }
        // Unclosed: the same answer before the end is reached.
        assertThat(deadLetter("{\"doc\": " + deep.substring(0, 100_000)))
                .containsIgnoringCase("nesting depth");
    }

    @Test
    void hugeExponentsAreOutOfRangeNotAHangOrACrash() throws Exception {
        // Before: 1e2147483647 overflowed int arithmetic and built a BigInteger of 2^31 digits;
        // 100e2147483647 threw ArithmeticException out of the normalizer.
        assertThat(deadLetter("{\"n\": 1e2147483647}"))
                .isEqualTo("field 'n': the number does not fit INTEGER");
        assertThat(deadLetter("{\"n\": 100e2147483647}"))
                .isEqualTo("field 'n': the number does not fit INTEGER");
        assertThat(deadLetter("{\"price\": 100e2147483647}"))
                .isEqualTo("field 'price': the number does not fit DECIMAL(10,2)");
        assertThat(deadLetter("{\"price\": \"100e2147483647\"}"))
                .isEqualTo("field 'price': the number does not fit DECIMAL(10,2)");
        assertThat(deadLetter("{\"n\": 1e-2147483647}"))
                .isEqualTo("field 'n' (INTEGER): not a whole number");
    }

    @Test
    void jsonFieldsKeepTheirNumbersDigitForDigit() throws Exception {
        // Before: copied through double, 1.00000000000000000001 became 1.0 and 1e400 "Infinity".
        MessageNormalizer normalizer = new MessageNormalizer(IncomingSchema.parse(SCHEMA));
        String normalized =
                normalizer.normalize(
                        "{\"doc\": [1.00000000000000000001, 1e400, -0, 123456789012345678901234]}"
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(normalized)
                .contains("\"doc\":[1.00000000000000000001,1e400,-0,123456789012345678901234]");
    }

    @Test
    void unpairedSurrogatesAreDeadLettersNotQuestionMarks() throws Exception {
        // Before: the escape parsed to a lone surrogate, which UTF-8 (DuckDB's VARCHAR) turned
        // into "?".
        assertThat(deadLetter("{\"label\": \"a\\ud800b\"}"))
                .isEqualTo("field 'label': the text is not valid Unicode (an unpaired surrogate)");
        assertThat(deadLetter("{\"doc\": {\"\\udc00\": 1}}"))
                .isEqualTo(
                        "a field name in field 'doc': the text is not valid Unicode (an unpaired"
                                + " surrogate)");
        // A pair is one character.
        MessageNormalizer normalizer = new MessageNormalizer(IncomingSchema.parse(SCHEMA));
        assertThat(
                        normalizer.normalize(
                                "{\"label\": \"\\ud83d\\ude00\"}".getBytes(StandardCharsets.UTF_8)))
                .contains("\"label\":\"\ud83d\ude00\"");
    }

    @Test
    void limitsAreConfigurableAndNameTheField() {
        MessageNormalizer small =
                new MessageNormalizer(
                        IncomingSchema.parse("id BIGINT, s VARCHAR, doc JSON"),
                        new JsonLimits(3, 5, 4));
        assertThat(reject(small, "{\"doc\": [[1]]}")).isEqualTo(null);
        assertThat(reject(small, "{\"doc\": [[[1]]]}"))
                .isEqualTo(
                        "the JSON nesting depth 4 at field 'doc' exceeds the limit of 3"
                                + " (maxJsonNestingDepth)");
        assertThat(reject(small, "{\"o\": {\"a\": [{}]}}"))
                .isEqualTo(
                        "the JSON nesting depth 4 at field 'o' exceeds the limit of 3"
                                + " (maxJsonNestingDepth)");
        assertThat(reject(small, "{\"id\": 12345}")).isEqualTo(null);
        assertThat(reject(small, "{\"id\": 123456}"))
                .isEqualTo(
                        "field 'id': number value length 6 exceeds the limit of 5"
                                + " (maxJsonNumberLength)");
        assertThat(reject(small, "{\"s\": \"abcde\"}"))
                .isEqualTo(
                        "field 's': string value length 5 exceeds the limit of 4"
                                + " (maxJsonStringLength)");
        assertThat(reject(small, "{\"longer\": 1}"))
                .isEqualTo(
                        "a field name: string value length 6 exceeds the limit of 4"
                                + " (maxJsonStringLength)");
    }

    @Test
    void theBuilderRejectsLimitsBelowOne() {
        assertThatThrownBy(
                        () ->
                                OtterTransform.builder()
                                        .incomingSchema(SCHEMA)
                                        .addModel("all", "SELECT id FROM incoming")
                                        .maxJsonNestingDepth(0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxJsonNestingDepth must be positive, got 0");
    }

    /** The rejection's text, or null when the message is accepted. */
    private static String reject(MessageNormalizer normalizer, String message) {
        try {
            normalizer.normalize(message.getBytes(StandardCharsets.UTF_8));
            return null;
        } catch (MessageRejectedException e) {
            return e.getMessage();
        }
    }
}
