package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageNormalizer;
import io.github.flinkduckdb.otter.internal.MessageRejectedException;
import io.github.flinkduckdb.otter.model.IncomingSchema;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Numbers in their common plain forms ({@code 12.50}, {@code -7}) are checked without BigDecimal or
 * BigInteger; every form must give what the exact rules give: the same normalized text, or the same
 * rejection. The expected values here are computed with BigDecimal and BigInteger.
 */
class ExactNumberFormsTest {

    private static final String[][] DECIMALS = {
        {"d", "DECIMAL(10,2)"},
        {"z", "DECIMAL(5,0)"},
        {"f", "DECIMAL(3,3)"},
        {"w", "DECIMAL(38,10)"}
    };

    private static final Object[][] INTEGERS = {
        {"t", "TINYINT", -128L, 127L},
        {"s", "SMALLINT", (long) Short.MIN_VALUE, (long) Short.MAX_VALUE},
        {"i", "INTEGER", (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE},
        {"b", "BIGINT", Long.MIN_VALUE, Long.MAX_VALUE},
        {"ut", "UTINYINT", 0L, 255L},
        {"us", "USMALLINT", 0L, 65_535L},
        {"ui", "UINTEGER", 0L, 4_294_967_295L},
        {"ub", "UBIGINT", 0L, null},
        {"h", "HUGEINT", null, null},
        {"uh", "UHUGEINT", 0L, null}
    };

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static MessageNormalizer normalizer() {
        StringBuilder schema = new StringBuilder();
        for (String[] d : DECIMALS) {
            schema.append(schema.length() == 0 ? "" : ", ").append(d[0]).append(' ').append(d[1]);
        }
        for (Object[] i : INTEGERS) {
            schema.append(", ").append(i[0]).append(' ').append(i[1]);
        }
        return new MessageNormalizer(IncomingSchema.parse(schema.toString()));
    }

    private static List<String> numberTexts() {
        List<String> texts =
                new ArrayList<>(
                        List.of(
                                "0",
                                "-0",
                                "0.0",
                                "-0.000",
                                "0.5",
                                "-0.5",
                                "12.5",
                                "12.50",
                                "12.345",
                                "100",
                                "-100",
                                "99999999.99",
                                "100000000",
                                "0.001",
                                "1.10",
                                "127",
                                "128",
                                "-128",
                                "-129",
                                "255",
                                "256",
                                "65535",
                                "65536",
                                "4294967295",
                                "4294967296",
                                "2147483647",
                                "2147483648",
                                "-2147483648",
                                "-2147483649",
                                "9223372036854775807",
                                "9223372036854775808",
                                "-9223372036854775808",
                                "-9223372036854775809",
                                "18446744073709551615",
                                "18446744073709551616",
                                "1e2",
                                "1.5E1",
                                "-2.50e-1",
                                "12.0",
                                "99999",
                                "100000",
                                "0.999",
                                "0.9990",
                                "1.000",
                                "-0.0010",
                                "123456789012345678901234567.8901234567",
                                "1.00000000001"));
        Random random = new Random(7);
        for (int k = 0; k < 2_000; k++) {
            StringBuilder t = new StringBuilder();
            if (random.nextBoolean()) {
                t.append('-');
            }
            int intDigits = 1 + random.nextInt(12);
            t.append(intDigits == 1 ? random.nextInt(10) : 1 + random.nextInt(9));
            for (int i = 1; i < intDigits; i++) {
                t.append(random.nextInt(10));
            }
            int frac = random.nextInt(5);
            if (frac > 0) {
                t.append('.');
                for (int i = 0; i < frac; i++) {
                    t.append(random.nextInt(3) == 0 ? 0 : random.nextInt(10));
                }
            }
            texts.add(t.toString());
        }
        return texts;
    }

    @Test
    void everyPlainFormGivesWhatTheExactRulesGive() throws Exception {
        MessageNormalizer normalizer = normalizer();
        for (String text : numberTexts()) {
            for (String[] d : DECIMALS) {
                assertThat(outcome(normalizer, d[0], text))
                        .as("%s as %s", text, d[1])
                        .isEqualTo(expectedDecimal(d[0], d[1], text));
            }
            for (Object[] i : INTEGERS) {
                assertThat(outcome(normalizer, (String) i[0], text))
                        .as("%s as %s", text, i[1])
                        .isEqualTo(expectedInteger(i, text));
            }
        }
    }

    /** The normalized value as JSON text, or the rejection's message. */
    private static String outcome(MessageNormalizer normalizer, String field, String number) {
        try {
            String json =
                    normalizer.normalize(
                            ("{\"" + field + "\": " + number + "}")
                                    .getBytes(StandardCharsets.UTF_8));
            JsonNode node = MAPPER.readTree(json).get(field);
            return node.isTextual() ? "\"" + node.textValue() + "\"" : node.toString();
        } catch (MessageRejectedException e) {
            return "rejected: " + e.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String expectedDecimal(String field, String type, String text) {
        int precision = Integer.parseInt(type.replaceAll("DECIMAL\\((\\d+),(\\d+)\\)", "$1"));
        int scale = Integer.parseInt(type.replaceAll("DECIMAL\\((\\d+),(\\d+)\\)", "$2"));
        BigDecimal value = new BigDecimal(text);
        if (value.signum() != 0 && value.precision() - value.scale() > precision - scale) {
            return "rejected: field '" + field + "': the number does not fit " + type;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        int s = Math.max(stripped.scale(), 0);
        if (s > scale) {
            return "rejected: field '"
                    + field
                    + "' ("
                    + type
                    + "): has more than "
                    + scale
                    + " decimal places";
        }
        return "\"" + stripped.setScale(s).toPlainString() + "\"";
    }

    private static String expectedInteger(Object[] integer, String text) {
        String field = (String) integer[0];
        String type = (String) integer[1];
        BigDecimal exact = new BigDecimal(text).stripTrailingZeros();
        if (exact.scale() > 0) {
            return "rejected: field '" + field + "' (" + type + "): not a whole number";
        }
        BigInteger value = exact.toBigIntegerExact();
        BigInteger min =
                integer[2] != null
                        ? BigInteger.valueOf((Long) integer[2])
                        : BigInteger.ONE.shiftLeft(127).negate();
        BigInteger max =
                integer[3] != null
                        ? BigInteger.valueOf((Long) integer[3])
                        : type.equals("HUGEINT")
                                ? BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE)
                                : type.equals("UBIGINT")
                                        ? BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)
                                        : BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            return "rejected: field '" + field + "': the number does not fit " + type;
        }
        return value.bitLength() < 64 ? value.toString() : "\"" + value + "\"";
    }
}
