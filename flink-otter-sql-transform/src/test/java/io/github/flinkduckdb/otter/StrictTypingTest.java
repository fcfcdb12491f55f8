package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.model.IncomingSchema;

import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A value that does not fit the declared incoming type is a dead letter (stage parse), never a
 * silent NULL or rounding; and a message is typed the same whether it is alone or in a batch.
 */
class StrictTypingTest {

    private static final String SCHEMA =
            "id BIGINT, n BIGINT, small TINYINT, score DOUBLE, price DECIMAL(10,2), flag BOOLEAN,"
                    + " label VARCHAR, day DATE, seen_at TIMESTAMP, at_tz TIMESTAMP WITH TIME ZONE,"
                    + " tags VARCHAR[], nested STRUCT(k BIGINT, v VARCHAR), doc JSON";

    private static OtterTransform transform() {
        return OtterTransform.builder()
                .incomingSchema(SCHEMA)
                .addModel(
                        "all",
                        "SELECT id, n, small, score, price, flag, label, day, seen_at, at_tz, tags,"
                                + " nested, CAST(doc AS VARCHAR) AS doc FROM incoming")
                .build();
    }

    /** Runs messages (numbered from 0) in one batch and returns their results. */
    static List<OtterResult> run(OtterTransform transform, String... messages) throws Exception {
        List<OtterMessage> list = new ArrayList<>();
        for (String m : messages) {
            list.add(OtterMessage.of(m));
        }
        try (OtterEngine engine = transform.openEngine()) {
            return engine.process(list, 0);
        }
    }

    private static String parseError(OtterTransform t, String message) throws Exception {
        OtterResult r = run(t, message).get(0);
        assertThat(r.rows(0)).isEmpty();
        assertThat(r.deadLetters()).hasSize(1);
        assertThat(r.deadLetters().get(0).getStage()).isEqualTo(OtterStage.PARSE);
        assertThat(r.deadLetters().get(0).getModel()).isNull();
        return r.deadLetters().get(0).getError();
    }

    @Test
    void aKeyTwiceInAnyObjectIsADeadLetterAndTheSameKeyInTwoObjectsIsNot() throws Exception {
        OtterTransform t = transform();
        // Declared fields, at the top and in a declared STRUCT.
        assertThat(parseError(t, "{\"nested\": {\"k\": 1, \"k\": 2}}"))
                .isEqualTo("malformed JSON at line 1, column 21: Duplicate field 'k'");
        // An undeclared field, and inside an undeclared object (skipped, still checked).
        assertThat(parseError(t, "{\"x\": 1, \"id\": 1, \"x\": 2}"))
                .isEqualTo("malformed JSON at line 1, column 19: Duplicate field 'x'");
        assertThat(parseError(t, "{\"extra\": [{\"a\": {\"b\": 1, \"b\": 2}}]}"))
                .isEqualTo("malformed JSON at line 1, column 27: Duplicate field 'b'");
        // Inside a JSON field, copied as it is.
        assertThat(parseError(t, "{\"doc\": {\"a\": [{\"b\": 1}, {\"b\": 2, \"b\": 3}]}}"))
                .isEqualTo("malformed JSON at line 1, column 35: Duplicate field 'b'");

        // A MAP's keys.
        OtterTransform maps =
                OtterTransform.builder()
                        .incomingSchema("id BIGINT, m MAP(VARCHAR, BIGINT)")
                        .addModel("all", "SELECT id, m FROM incoming")
                        .build();
        assertThat(parseError(maps, "{\"m\": {\"a\": 1, \"a\": 2}}"))
                .isEqualTo("malformed JSON at line 1, column 16: Duplicate field 'a'");
        assertThat(run(maps, "{\"id\": 1, \"m\": {\"a\": 1, \"b\": 2}}").get(0).rows(0)).hasSize(1);

        // The same key in sibling and nested objects is no duplicate.
        OtterResult ok =
                run(
                                t,
                                "{\"id\": 7, \"nested\": {\"k\": 1, \"v\": \"k\"}, \"extra\":"
                                        + " [{\"a\": 1}, {\"a\": {\"a\": 2}}],"
                                        + " \"doc\": {\"b\": [{\"b\": 1}, {\"b\": 2}]}}")
                        .get(0);
        assertThat(ok.deadLetters()).isEmpty();
        assertThat(ok.rows(0)).hasSize(1);
        assertThat(ok.rows(0).get(0).getField("id")).isEqualTo(7L);
    }

    @Test
    void stringForANumberIsADeadLetterNotNull() throws Exception {
        assertThat(parseError(transform(), "{\"id\": 1, \"n\": \"two\"}"))
                .isEqualTo("field 'n' (BIGINT): expected a whole number, got a string");
    }

    @Test
    void fractionForAnIntegerIsADeadLetterNotRounded() throws Exception {
        assertThat(parseError(transform(), "{\"id\": 1, \"n\": 2.7}"))
                .isEqualTo("field 'n' (BIGINT): not a whole number");
    }

    @Test
    void otherValuesThatDoNotFitAreDeadLetters() throws Exception {
        OtterTransform t = transform();
        assertThat(parseError(t, "{\"small\": 300}"))
                .isEqualTo("field 'small': the number does not fit TINYINT");
        assertThat(parseError(t, "{\"price\": 1.005}"))
                .isEqualTo("field 'price' (DECIMAL(10,2)): has more than 2 decimal places");
        assertThat(parseError(t, "{\"price\": 123456789.5}"))
                .isEqualTo("field 'price': the number does not fit DECIMAL(10,2)");
        assertThat(parseError(t, "{\"n\": true}"))
                .isEqualTo("field 'n' (BIGINT): expected a whole number, got a boolean");
        assertThat(parseError(t, "{\"flag\": 1}"))
                .isEqualTo("field 'flag' (BOOLEAN): expected true or false, got a whole number");
        assertThat(parseError(t, "{\"label\": 12}"))
                .isEqualTo("field 'label' (VARCHAR): expected a string, got a whole number");
        assertThat(parseError(t, "{\"score\": 1e400}"))
                .isEqualTo("field 'score': the number does not fit DOUBLE");
        assertThat(parseError(t, "{\"day\": \"2026-11-01T10:00:00\"}"))
                .isEqualTo("field 'day' (DATE): expected a date without a time of day");
        assertThat(parseError(t, "{\"seen_at\": \"2026-11-01T10:00:00+02:00\"}"))
                .startsWith(
                        "field 'seen_at' (TIMESTAMP): the value has a time zone offset other than UTC");
        assertThat(parseError(t, "{\"tags\": [\"a\", 3]}"))
                .isEqualTo("field 'tags[1]' (VARCHAR): expected a string, got a whole number");
        assertThat(parseError(t, "{\"nested\": {\"k\": \"x\"}}"))
                .isEqualTo("field 'nested.k' (BIGINT): expected a whole number, got a string");
        assertThat(parseError(t, "{\"nested\": [1]}"))
                .isEqualTo(
                        "field 'nested' (STRUCT(\"k\" BIGINT, \"v\" VARCHAR)): expected an object,"
                                + " got an array");
        assertThat(parseError(t, "[{\"id\": 1}]"))
                .isEqualTo("the message is not a JSON object (it starts with an array)");
        assertThat(parseError(t, "{\"id\": 1, \"id\": 2}"))
                .isEqualTo("malformed JSON at line 1, column 11: Duplicate field 'id'");
        assertThat(parseError(t, "{\"id\": 1} {\"id\": 2}"))
                .isEqualTo("unexpected content after the JSON object at line 1, column 11");
        assertThat(parseError(t, "")).isEqualTo("the message is empty");
    }

    @Test
    void valuesDuckDBRejectsAreDeadLettersWithDuckDBsMessageAndTheBatchGoesOn() throws Exception {
        List<OtterResult> results =
                run(
                        transform(),
                        "{\"id\": 1, \"seen_at\": \"2026-11-01 10:00:00\"}",
                        "{\"id\": 2, \"seen_at\": \"not a time\"}",
                        "{\"id\": 3, \"day\": \"2026-02-30\"}",
                        "{\"id\": 4}");
        assertThat(results.get(0).rows(0)).hasSize(1);
        assertThat(results.get(0).rows(0).get(0).getField("seen_at"))
                .isEqualTo(LocalDateTime.parse("2026-11-01T10:00:00"));
        assertThat(results.get(1).deadLetters()).hasSize(1);
        assertThat(results.get(1).deadLetters().get(0).getStage()).isEqualTo(OtterStage.PARSE);
        assertThat(results.get(1).deadLetters().get(0).getError())
                .startsWith("Invalid Input Error: invalid timestamp field format: \"not a time\"");
        assertThat(results.get(2).deadLetters().get(0).getError())
                .startsWith("Invalid Input Error: date field value out of range: \"2026-02-30\"");
        assertThat(results.get(3).rows(0)).hasSize(1);
        assertThat(results.get(3).rows(0).get(0).getField("id")).isEqualTo(4L);
    }

    @Test
    void valuesThatFitKeepTheirExactValue() throws Exception {
        OtterResult r =
                run(
                                transform(),
                                "{\"id\": 1, \"n\": 2.0, \"small\": -128, \"score\": 12, \"price\":"
                                        + " \"12345678.90\", \"flag\": false, \"label\": \"é\", \"day\":"
                                        + " \"2026-11-01\", \"seen_at\": \"2026-11-01T10:00:00Z\", \"at_tz\":"
                                        + " \"2026-11-01T12:00:00+02:00\", \"tags\": [\"a\", null],"
                                        + " \"nested\": {\"k\": 5}, \"doc\": {\"any\": [1, \"x\"]},"
                                        + " \"unknown\": {\"ignored\": true}}")
                        .get(0);
        assertThat(r.deadLetters()).isEmpty();
        Row row = r.rows(0).get(0);
        assertThat(row.getField("n")).isEqualTo(2L);
        assertThat(row.getField("small")).isEqualTo((byte) -128);
        assertThat(row.getField("score")).isEqualTo(12.0);
        assertThat(row.getField("price")).isEqualTo(new BigDecimal("12345678.90"));
        assertThat(row.getField("flag")).isEqualTo(false);
        assertThat(row.getField("label")).isEqualTo("é");
        assertThat(row.getField("day")).isEqualTo(LocalDate.parse("2026-11-01"));
        assertThat(row.getField("seen_at")).isEqualTo(LocalDateTime.parse("2026-11-01T10:00:00"));
        assertThat(row.getField("at_tz")).isEqualTo(Instant.parse("2026-11-01T10:00:00Z"));
        assertThat((Object[]) row.getField("tags")).containsExactly("a", null);
        assertThat(row.getField("nested")).isEqualTo(Row.of(5L, null));
        assertThat(row.getField("doc")).isEqualTo("{\"any\":[1,\"x\"]}");
    }

    @Test
    void missingFieldsAreNullAndUnknownFieldsAreIgnored() throws Exception {
        OtterResult r =
                run(transform(), "{\"id\": 7, \"nested\": {\"v\": \"x\"}, \"extra\": 1}").get(0);
        assertThat(r.deadLetters()).isEmpty();
        Row row = r.rows(0).get(0);
        assertThat(row.getField("id")).isEqualTo(7L);
        assertThat(row.getField("n")).isNull();
        assertThat(row.getField("tags")).isNull();
        assertThat(row.getField("nested")).isEqualTo(Row.of(null, "x"));
    }

    @Test
    void aFieldThatIsAnIntegerInOneMessageAndAFloatInAnotherIsTypedTheSameAloneAndInABatch()
            throws Exception {
        OtterTransform t =
                OtterTransform.builder()
                        .incomingSchema("id BIGINT, amount DOUBLE")
                        .addModel("m", "SELECT id, amount, amount / 2 AS half FROM incoming")
                        .build();
        assertThat(t.outputSchema("m").get(1).type().toSql()).isEqualTo("DOUBLE");
        String[] messages = {"{\"id\": 1, \"amount\": 12}", "{\"id\": 2, \"amount\": 12.5}"};
        List<OtterResult> batch = run(t, messages);
        List<OtterResult> alone1 = run(t, messages[0]);
        List<OtterResult> alone2 = run(t, messages[1]);
        assertThat(batch.get(0).rows(0)).isEqualTo(alone1.get(0).rows(0));
        assertThat(batch.get(1).rows(0)).isEqualTo(alone2.get(0).rows(0));
        assertThat(batch.get(0).rows(0).get(0).getField("amount")).isEqualTo(12.0);
        assertThat(batch.get(0).rows(0).get(0).getField("half")).isEqualTo(6.0);
        assertThat(batch.get(1).rows(0).get(0).getField("half")).isEqualTo(6.25);
    }

    @Test
    void inferenceFromSamplesFixesOneTypeForAllMessages() throws Exception {
        IncomingSchema mixed =
                IncomingSchema.inferFromSamples(
                        Arrays.asList(
                                "{\"id\": 1, \"amount\": 12, \"tags\": [], \"user\": {\"id\": 3}}",
                                "{\"id\": 2, \"amount\": 12.5, \"tags\": [\"a\"], \"note\": null}"));
        assertThat(mixed.type().toSql())
                .isEqualTo(
                        "STRUCT(\"id\" BIGINT, \"amount\" DOUBLE, \"tags\" VARCHAR[], \"user\""
                                + " STRUCT(\"id\" BIGINT), \"note\" JSON)");

        OtterTransform integers =
                OtterTransform.builder()
                        .incomingSchemaFromSamples("{\"id\": 1, \"amount\": 12}")
                        .addModel("m", "SELECT id, amount FROM incoming")
                        .build();
        assertThat(integers.outputSchema("m").get(1).type().toSql()).isEqualTo("BIGINT");
        List<OtterResult> results =
                run(integers, "{\"id\": 1, \"amount\": 12}", "{\"id\": 2, \"amount\": 12.5}");
        assertThat(results.get(0).rows(0)).containsExactly(Row.of(1L, 12L));
        assertThat(results.get(1).deadLetters().get(0).getError())
                .isEqualTo("field 'amount' (BIGINT): not a whole number");
    }
}
