package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a Java value into the exact Java type DuckDB's appender takes for a DuckDB type, strictly:
 * a value that does not fit (a string for a number, 2.7 for an integer, a value out of range, more
 * decimal places than the column has) is a {@link ConversionFailure}, never a silent NULL or
 * rounding. Doubles written to DECIMAL are the one exception: they round half-up to the column's
 * scale, as DuckDB's own cast does, because a double is inexact to begin with.
 */
@Internal
public final class ValueConverter {

    private static final BigInteger MIN_HUGEINT = BigInteger.ONE.shiftLeft(127).negate();
    private static final BigInteger MAX_HUGEINT =
            BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE);
    private static final BigInteger MAX_UBIGINT =
            BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigInteger MAX_UHUGEINT =
            BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    private static final BigInteger MIN_LONG = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);

    private ValueConverter() {}

    /**
     * Converts {@code value} (non-null) for {@code type}. Nested values come back as {@link
     * ArrayList} (LIST, ARRAY) and {@link LinkedHashMap} (MAP; STRUCT in field order).
     */
    public static Object convert(Object value, DuckDBType type) throws ConversionFailure {
        if (value == null) {
            return null;
        }
        switch (type.id()) {
            case BOOLEAN:
                if (value instanceof Boolean) {
                    return value;
                }
                throw fail(type, value, "expected a Boolean");
            case TINYINT:
                return (byte) integral(value, type, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case SMALLINT:
                return (short) integral(value, type, Short.MIN_VALUE, Short.MAX_VALUE);
            case INTEGER:
                return (int) integral(value, type, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case BIGINT:
                return integral(value, type, Long.MIN_VALUE, Long.MAX_VALUE);
            case UTINYINT:
                return integral(value, type, 0, 255);
            case USMALLINT:
                return integral(value, type, 0, 65535);
            case UINTEGER:
                return integral(value, type, 0, 4294967295L);
            case UBIGINT:
                return bigIntegral(value, type, BigInteger.ZERO, MAX_UBIGINT);
            case HUGEINT:
                return bigIntegral(value, type, MIN_HUGEINT, MAX_HUGEINT);
            case UHUGEINT:
                return bigIntegral(value, type, BigInteger.ZERO, MAX_UHUGEINT);
            case BIGNUM:
                return bigIntegral(value, type, null, null).toString();
            case FLOAT:
                if (value instanceof Number) {
                    return ((Number) value).floatValue();
                }
                throw fail(type, value, "expected a number");
            case DOUBLE:
                if (value instanceof Number) {
                    return ((Number) value).doubleValue();
                }
                throw fail(type, value, "expected a number");
            case DECIMAL:
                return decimal(value, type);
            case VARCHAR:
                return string(value, type);
            case JSON:
                if (value instanceof Map
                        || value instanceof Collection
                        || (value.getClass().isArray() && !(value instanceof byte[]))) {
                    return JsonText.write(value);
                }
                return string(value, type);
            case BLOB:
                if (value instanceof byte[]) {
                    return value;
                }
                if (value instanceof ByteBuffer) {
                    ByteBuffer b = ((ByteBuffer) value).duplicate();
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    return bytes;
                }
                throw fail(type, value, "expected byte[] or ByteBuffer");
            case BIT:
                if (value instanceof CharSequence && isBits(value.toString())) {
                    return value.toString();
                }
                throw fail(type, value, "expected a string of 0s and 1s");
            case UUID:
                if (value instanceof UUID) {
                    return value;
                }
                if (value instanceof CharSequence) {
                    try {
                        return UUID.fromString(value.toString());
                    } catch (IllegalArgumentException e) {
                        throw fail(type, value, "the string is not a UUID");
                    }
                }
                throw fail(type, value, "expected a UUID");
            case DATE:
                if (value instanceof LocalDate) {
                    return value;
                }
                if (value instanceof java.sql.Date) {
                    return ((java.sql.Date) value).toLocalDate();
                }
                throw fail(type, value, "expected a LocalDate");
            case TIME:
                if (value instanceof LocalTime) {
                    return value;
                }
                if (value instanceof java.sql.Time) {
                    return ((java.sql.Time) value).toLocalTime();
                }
                throw fail(type, value, "expected a LocalTime");
            case TIME_NS:
                if (value instanceof LocalTime) {
                    return value.toString();
                }
                throw fail(type, value, "expected a LocalTime");
            case TIME_TZ:
                if (value instanceof OffsetTime) {
                    return value;
                }
                throw fail(type, value, "expected an OffsetTime");
            case TIMESTAMP_S:
            case TIMESTAMP_MS:
            case TIMESTAMP:
            case TIMESTAMP_NS:
                return localDateTime(value, type);
            case TIMESTAMP_TZ:
                return offsetDateTime(value, type);
            case INTERVAL:
                return interval(value, type);
            case ENUM:
                {
                    String s;
                    if (value instanceof Enum) {
                        s = ((Enum<?>) value).name();
                    } else if (value instanceof CharSequence) {
                        s = value.toString();
                    } else {
                        throw fail(type, value, "expected a String or an enum constant");
                    }
                    if (!type.enumValues().contains(s)) {
                        throw fail(type, value, "not one of the ENUM's values");
                    }
                    return s;
                }
            case LIST:
            case ARRAY:
                return NestedValues.list(value, type);
            case MAP:
                return NestedValues.map(value, type);
            case STRUCT:
                return NestedValues.struct(value, type);
            case OTHER:
                if (value instanceof CharSequence
                        || value instanceof Number
                        || value instanceof Boolean) {
                    return value.toString();
                }
                throw fail(type, value, "expected a String for this DuckDB type");
            case UNION:
            default:
                throw fail(type, value, "this DuckDB type is not supported by the sink");
        }
    }

    private static long integral(Object v, DuckDBType type, long min, long max)
            throws ConversionFailure {
        long result;
        if (v instanceof Long
                || v instanceof Integer
                || v instanceof Short
                || v instanceof Byte
                || v instanceof AtomicInteger
                || v instanceof AtomicLong) {
            result = ((Number) v).longValue();
        } else if (v instanceof BigInteger) {
            BigInteger b = (BigInteger) v;
            if (b.compareTo(MIN_LONG) < 0 || b.compareTo(MAX_LONG) > 0) {
                throw fail(type, v, "out of range for " + type.toSql());
            }
            result = b.longValue();
        } else if (v instanceof BigDecimal) {
            try {
                result = ((BigDecimal) v).longValueExact();
            } catch (ArithmeticException e) {
                throw fail(type, v, "not a whole number in range for " + type.toSql());
            }
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d)) {
                throw fail(type, v, "not a whole number");
            }
            if (d < -9.223372036854775808E18 || d >= 9.223372036854775808E18) {
                throw fail(type, v, "out of range for " + type.toSql());
            }
            result = (long) d;
        } else {
            throw fail(type, v, "expected a whole number");
        }
        if (result < min || result > max) {
            throw fail(type, v, "out of range for " + type.toSql());
        }
        return result;
    }

    private static BigInteger bigIntegral(Object v, DuckDBType type, BigInteger min, BigInteger max)
            throws ConversionFailure {
        BigInteger result;
        if (v instanceof BigInteger) {
            result = (BigInteger) v;
        } else if (v instanceof Long
                || v instanceof Integer
                || v instanceof Short
                || v instanceof Byte) {
            result = BigInteger.valueOf(((Number) v).longValue());
        } else if (v instanceof BigDecimal) {
            try {
                result = ((BigDecimal) v).toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw fail(type, v, "not a whole number");
            }
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d)) {
                throw fail(type, v, "not a whole number");
            }
            result = BigDecimal.valueOf(d).toBigIntegerExact();
        } else {
            throw fail(type, v, "expected a whole number");
        }
        if ((min != null && result.compareTo(min) < 0)
                || (max != null && result.compareTo(max) > 0)) {
            throw fail(type, v, "out of range for " + type.toSql());
        }
        return result;
    }

    private static BigDecimal decimal(Object v, DuckDBType type) throws ConversionFailure {
        BigDecimal d;
        if (v instanceof BigDecimal) {
            try {
                d = ((BigDecimal) v).setScale(type.scale(), RoundingMode.UNNECESSARY);
            } catch (ArithmeticException e) {
                throw fail(
                        type,
                        v,
                        "has more than "
                                + type.scale()
                                + " decimal places; round it before writing");
            }
        } else if (v instanceof Long
                || v instanceof Integer
                || v instanceof Short
                || v instanceof Byte) {
            d = BigDecimal.valueOf(((Number) v).longValue()).setScale(type.scale());
        } else if (v instanceof BigInteger) {
            d = new BigDecimal((BigInteger) v).setScale(type.scale());
        } else if (v instanceof Double || v instanceof Float) {
            double x = ((Number) v).doubleValue();
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                throw fail(type, v, "NaN and infinity do not fit a DECIMAL");
            }
            d = new BigDecimal(Double.toString(x)).setScale(type.scale(), RoundingMode.HALF_UP);
        } else {
            throw fail(type, v, "expected a number");
        }
        if (d.precision() > type.precision()) {
            throw fail(type, v, "has more digits than " + type.toSql() + " holds");
        }
        return d;
    }

    private static String string(Object v, DuckDBType type) throws ConversionFailure {
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof CharSequence
                || v instanceof Character
                || v instanceof Number
                || v instanceof Boolean
                || v instanceof UUID) {
            return v.toString();
        }
        if (v instanceof Enum) {
            return ((Enum<?>) v).name();
        }
        throw fail(type, v, "expected a String");
    }

    private static boolean isBits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '0' && c != '1') {
                return false;
            }
        }
        return true;
    }

    private static LocalDateTime localDateTime(Object v, DuckDBType type) throws ConversionFailure {
        if (v instanceof LocalDateTime) {
            return (LocalDateTime) v;
        }
        if (v instanceof java.sql.Timestamp) {
            return ((java.sql.Timestamp) v).toLocalDateTime();
        }
        if (v instanceof Instant) {
            return LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC);
        }
        if (v instanceof OffsetDateTime) {
            return ((OffsetDateTime) v).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        }
        if (v instanceof ZonedDateTime) {
            return LocalDateTime.ofInstant(((ZonedDateTime) v).toInstant(), ZoneOffset.UTC);
        }
        throw fail(type, v, "expected a LocalDateTime (or an Instant, taken as UTC)");
    }

    private static OffsetDateTime offsetDateTime(Object v, DuckDBType type)
            throws ConversionFailure {
        if (v instanceof OffsetDateTime) {
            return (OffsetDateTime) v;
        }
        if (v instanceof Instant) {
            return ((Instant) v).atOffset(ZoneOffset.UTC);
        }
        if (v instanceof ZonedDateTime) {
            return ((ZonedDateTime) v).toOffsetDateTime();
        }
        if (v instanceof java.sql.Timestamp) {
            return ((java.sql.Timestamp) v).toInstant().atOffset(ZoneOffset.UTC);
        }
        throw fail(type, v, "expected an Instant, OffsetDateTime or ZonedDateTime");
    }

    private static String interval(Object v, DuckDBType type) throws ConversionFailure {
        if (v instanceof Duration) {
            Duration d = (Duration) v;
            long micros;
            try {
                micros =
                        Math.addExact(
                                Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1000);
            } catch (ArithmeticException e) {
                throw fail(type, v, "out of range for INTERVAL");
            }
            if (d.getNano() % 1000 != 0) {
                throw fail(type, v, "INTERVAL holds microseconds; the Duration has nanoseconds");
            }
            return micros + " microseconds";
        }
        if (v instanceof Period) {
            Period p = (Period) v;
            return p.getYears() + " years " + p.getMonths() + " months " + p.getDays() + " days";
        }
        if (v instanceof CharSequence) {
            return v.toString();
        }
        throw fail(type, v, "expected a Duration, Period or interval string");
    }

    static ConversionFailure fail(DuckDBType type, Object value, String reason) {
        return new ConversionFailure("", type, value, reason);
    }
}
