package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

import static io.github.flinkduckdb.otter.internal.MessageRejections.field;
import static io.github.flinkduckdb.otter.internal.MessageRejections.mismatch;
import static io.github.flinkduckdb.otter.internal.MessageRejections.outOfRange;

/**
 * Checks a JSON number against a declared numeric type of the incoming schema and writes it so
 * DuckDB's JSON reader takes exactly that value (integers beyond 64 bits and decimals as strings,
 * which DuckDB casts exactly), or rejects it: the numeric rules of {@link MessageNormalizer}.
 */
final class ExactNumbers {

    private ExactNumbers() {}

    /** The smallest value of an integer type; null when unbounded (BIGNUM). */
    private static BigInteger min(DuckDBType.Id id) {
        switch (id) {
            case TINYINT:
                return BigInteger.valueOf(-128);
            case SMALLINT:
                return BigInteger.valueOf(Short.MIN_VALUE);
            case INTEGER:
                return BigInteger.valueOf(Integer.MIN_VALUE);
            case BIGINT:
                return BigInteger.valueOf(Long.MIN_VALUE);
            case HUGEINT:
                return BigInteger.ONE.shiftLeft(127).negate();
            case UTINYINT:
            case USMALLINT:
            case UINTEGER:
            case UBIGINT:
            case UHUGEINT:
                return BigInteger.ZERO;
            case BIGNUM:
                return null;
            default:
                throw new IllegalArgumentException("not an integer type: " + id);
        }
    }

    /** The largest value of an integer type; null when unbounded (BIGNUM). */
    private static BigInteger max(DuckDBType.Id id) {
        switch (id) {
            case TINYINT:
                return BigInteger.valueOf(127);
            case SMALLINT:
                return BigInteger.valueOf(Short.MAX_VALUE);
            case INTEGER:
                return BigInteger.valueOf(Integer.MAX_VALUE);
            case BIGINT:
                return BigInteger.valueOf(Long.MAX_VALUE);
            case HUGEINT:
                return BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE);
            case UTINYINT:
                return BigInteger.valueOf(255);
            case USMALLINT:
                return BigInteger.valueOf(65535);
            case UINTEGER:
                return BigInteger.valueOf(4294967295L);
            case UBIGINT:
                return BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
            case UHUGEINT:
                return BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
            case BIGNUM:
                return null;
            default:
                throw new IllegalArgumentException("not an integer type: " + id);
        }
    }

    /** {@link #min} within a long: the lowest long for types whose range reaches beyond it. */
    private static long minLong(DuckDBType.Id id) {
        switch (id) {
            case TINYINT:
                return -128;
            case SMALLINT:
                return Short.MIN_VALUE;
            case INTEGER:
                return Integer.MIN_VALUE;
            case UTINYINT:
            case USMALLINT:
            case UINTEGER:
            case UBIGINT:
            case UHUGEINT:
                return 0;
            default:
                // BIGINT, HUGEINT, BIGNUM
                return Long.MIN_VALUE;
        }
    }

    /** {@link #max} within a long: the highest long for types whose range reaches beyond it. */
    private static long maxLong(DuckDBType.Id id) {
        switch (id) {
            case TINYINT:
                return 127;
            case SMALLINT:
                return Short.MAX_VALUE;
            case INTEGER:
                return Integer.MAX_VALUE;
            case UTINYINT:
                return 255;
            case USMALLINT:
                return 65_535;
            case UINTEGER:
                return 4_294_967_295L;
            default:
                // BIGINT, UBIGINT, HUGEINT, UHUGEINT, BIGNUM
                return Long.MAX_VALUE;
        }
    }

    /** A whole number in the range of {@code type}, one of DuckDB's integer types. */
    static void writeInteger(JsonParser p, JsonGenerator g, FieldPath path, DuckDBType type)
            throws IOException, MessageRejectedException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            // The common case, without BigInteger: Jackson holds the number as an int or a long.
            long v = p.getLongValue();
            if (v < minLong(type.id()) || v > maxLong(type.id())) {
                throw outOfRange(path, type);
            }
            g.writeNumber(v);
            return;
        }
        BigInteger value;
        if (t == JsonToken.VALUE_NUMBER_INT) {
            value = p.getBigIntegerValue();
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            BigDecimal exact = p.getDecimalValue();
            // Before stripping zeros, which overflows the scale of 100e2147483647; in long
            // arithmetic, as 1e2147483647 has precision 1 and scale -2147483647.
            if (exact.signum() != 0 && integerDigits(exact) > 40) {
                throw outOfRange(path, type);
            }
            BigDecimal d = exact.stripTrailingZeros();
            if (d.scale() > 0) {
                throw new MessageRejectedException(
                        field(path) + " (" + type.toSql() + "): not a whole number");
            }
            value = d.toBigIntegerExact();
        } else {
            throw mismatch(path, type, "a whole number", t);
        }
        // The bounds as BigInteger only here, off the common path above.
        BigInteger min = min(type.id());
        BigInteger max = max(type.id());
        if ((min != null && value.compareTo(min) < 0)
                || (max != null && value.compareTo(max) > 0)) {
            throw outOfRange(path, type);
        }
        if (value.bitLength() < 64) {
            g.writeNumber(value.longValue());
        } else {
            // DuckDB's JSON reader holds at most 64-bit integers exactly; a string is cast exactly.
            g.writeString(value.toString());
        }
    }

    /** A finite number that fits FLOAT or DOUBLE, written as given. */
    static void writeFloating(JsonParser p, JsonGenerator g, FieldPath path, DuckDBType type)
            throws IOException, MessageRejectedException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw mismatch(path, type, "a number", t);
        }
        double d = p.getDoubleValue();
        if (Double.isInfinite(d)
                || Double.isNaN(d)
                || (type.id() == DuckDBType.Id.FLOAT && Math.abs(d) > Float.MAX_VALUE)) {
            throw outOfRange(path, type);
        }
        g.writeNumber(p.getText());
    }

    /**
     * A number or numeric string with at most the type's scale in decimals and precision minus
     * scale in integer digits, written as a plain string DuckDB casts exactly.
     */
    static void writeDecimal(JsonParser p, JsonGenerator g, FieldPath path, DuckDBType type)
            throws IOException, MessageRejectedException {
        JsonToken t = p.currentToken();
        BigDecimal value;
        if ((t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT)
                && writePlainDecimal(p.getText(), g, path, type)) {
            return;
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            value = p.getDecimalValue();
        } else if (t == JsonToken.VALUE_STRING) {
            String s = p.getText().trim();
            if (s.length() > 100) {
                throw outOfRange(path, type);
            }
            try {
                value = new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw new MessageRejectedException(
                        field(path) + " (" + type.toSql() + "): the string is not a number");
            }
        } else {
            throw mismatch(path, type, "a number or a numeric string", t);
        }
        // Stripping zeros keeps the integer digits; checked first, as it overflows the scale of
        // 100e2147483647.
        if (value.signum() != 0 && integerDigits(value) > type.precision() - type.scale()) {
            throw outOfRange(path, type);
        }
        BigDecimal stripped = value.stripTrailingZeros();
        int scale = Math.max(stripped.scale(), 0);
        if (scale > type.scale()) {
            throw tooManyDecimals(path, type);
        }
        g.writeString(stripped.setScale(scale).toPlainString());
    }

    /**
     * The common case of {@link #writeDecimal} without BigDecimal: a JSON number without exponent
     * ({@code -12.340}), checked digit by digit and written as {@code toPlainString()} of its value
     * without trailing zeros would be. Returns false, writing nothing, for any other form.
     */
    private static boolean writePlainDecimal(
            String text, JsonGenerator g, FieldPath path, DuckDBType type)
            throws IOException, MessageRejectedException {
        int n = text.length();
        int i = 0;
        boolean negative = n > 0 && text.charAt(0) == '-';
        if (negative) {
            i++;
        }
        int intStart = i;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
        }
        int intEnd = i;
        int fracStart = i;
        int fracEnd = i;
        if (i < n && text.charAt(i) == '.') {
            fracStart = ++i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            fracEnd = i;
        }
        if (i != n || intEnd == intStart) {
            return false; // an exponent, or not a plain number: the exact path decides
        }
        while (intStart < intEnd - 1 && text.charAt(intStart) == '0') {
            intStart++;
        }
        while (fracEnd > fracStart && text.charAt(fracEnd - 1) == '0') {
            fracEnd--;
        }
        boolean zeroInteger = intEnd - intStart == 1 && text.charAt(intStart) == '0';
        int integerDigits = zeroInteger ? 0 : intEnd - intStart;
        if (integerDigits > type.precision() - type.scale()) {
            throw outOfRange(path, type);
        }
        if (fracEnd - fracStart > type.scale()) {
            throw tooManyDecimals(path, type);
        }
        boolean zero = zeroInteger && fracEnd == fracStart;
        StringBuilder out = new StringBuilder(n);
        if (negative && !zero) {
            out.append('-');
        }
        out.append(text, intStart, intEnd);
        if (fracEnd > fracStart) {
            out.append('.').append(text, fracStart, fracEnd);
        }
        g.writeString(out.toString());
        return true;
    }

    private static MessageRejectedException tooManyDecimals(FieldPath path, DuckDBType type) {
        return new MessageRejectedException(
                field(path)
                        + " ("
                        + type.toSql()
                        + "): has more than "
                        + type.scale()
                        + " decimal places");
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Digits before the decimal point (negative for 0.001), without int overflow. */
    private static long integerDigits(BigDecimal value) {
        return (long) value.precision() - value.scale();
    }
}
