package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.types.RowUtils;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.Blob;
import java.sql.SQLException;
import java.sql.Struct;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one value of a known DuckDB type, as DuckDB's JDBC driver returns it (top level or nested)
 * or as {@link ValueConverter} returns it, into the Java class {@link DuckDBTypeMapping} declares
 * for that type ({@link org.apache.flink.table.types.DataType#getConversionClass()}): e.g. HUGEINT
 * as a {@link BigDecimal} of scale 0, TIMESTAMPTZ as an {@link Instant}, LIST as an object array of
 * the element class, STRUCT as a {@link Row} with field names, types without a Flink type as
 * DuckDB's text. A reader is built once per type ({@link #of}); a value that does not have the Java
 * form its type promises is a {@link ValueReadException}.
 */
@Internal
@FunctionalInterface
public interface DuckDBValueReader {

    /** The Java value of {@code value} (non-null). */
    Object read(Object value) throws ValueReadException;

    /** A reader for values of {@code type}. */
    static DuckDBValueReader of(DuckDBType type) {
        switch (type.id()) {
            case BOOLEAN:
                return v -> {
                    if (v instanceof Boolean) {
                        return v;
                    }
                    throw unexpected(type, v);
                };
            case TINYINT:
                return v -> number(type, v).byteValue();
            case SMALLINT:
            case UTINYINT:
                return v -> number(type, v).shortValue();
            case INTEGER:
            case USMALLINT:
                return v -> number(type, v).intValue();
            case BIGINT:
            case UINTEGER:
                return v -> number(type, v).longValue();
            case UBIGINT:
            case HUGEINT:
            case UHUGEINT:
                return v -> wholeDecimal(type, v);
            case FLOAT:
                return v -> number(type, v).floatValue();
            case DOUBLE:
                return v -> number(type, v).doubleValue();
            case DECIMAL:
                return v -> {
                    if (v instanceof BigDecimal) {
                        return v;
                    }
                    throw unexpected(type, v);
                };
            case DATE:
                return v -> {
                    if (v instanceof LocalDate) {
                        return v;
                    }
                    if (v instanceof java.sql.Date) {
                        return ((java.sql.Date) v).toLocalDate();
                    }
                    throw unexpected(type, v);
                };
            case TIME:
            case TIME_NS:
                return v -> {
                    if (v instanceof LocalTime) {
                        return v;
                    }
                    if (v instanceof java.sql.Time) {
                        return ((java.sql.Time) v).toLocalTime();
                    }
                    if (v instanceof String) {
                        return LocalTime.parse((String) v);
                    }
                    throw unexpected(type, v);
                };
            case TIMESTAMP_S:
            case TIMESTAMP_MS:
            case TIMESTAMP:
            case TIMESTAMP_NS:
                return v -> {
                    if (v instanceof LocalDateTime) {
                        return v;
                    }
                    if (v instanceof Timestamp) {
                        return ((Timestamp) v).toLocalDateTime();
                    }
                    throw unexpected(type, v);
                };
            case TIMESTAMP_TZ:
                return v -> {
                    if (v instanceof Instant) {
                        return v;
                    }
                    if (v instanceof OffsetDateTime) {
                        return ((OffsetDateTime) v).toInstant();
                    }
                    if (v instanceof ZonedDateTime) {
                        return ((ZonedDateTime) v).toInstant();
                    }
                    if (v instanceof Timestamp) {
                        return ((Timestamp) v).toInstant();
                    }
                    throw unexpected(type, v);
                };
            case BLOB:
                return v -> bytes(type, v);
            case LIST:
            case ARRAY:
                return list(type);
            case MAP:
                return map(type);
            case STRUCT:
                return struct(type);
            default:
                return v -> v instanceof String ? v : String.valueOf(v);
        }
    }

    private static DuckDBValueReader list(DuckDBType type) {
        DuckDBValueReader element = of(type.elementType());
        Class<?> elementClass =
                DuckDBTypeMapping.toFlinkOrText(type.elementType()).getConversionClass();
        return v -> {
            Object[] in;
            try {
                if (v instanceof java.sql.Array) {
                    in = (Object[]) ((java.sql.Array) v).getArray();
                } else if (v instanceof Collection) {
                    in = ((Collection<?>) v).toArray();
                } else if (v instanceof Object[]) {
                    in = (Object[]) v;
                } else {
                    throw unexpected(type, v);
                }
            } catch (SQLException e) {
                throw new ValueReadException(
                        "cannot read a " + type.toSql() + ": " + e.getMessage());
            }
            Object[] out = (Object[]) Array.newInstance(elementClass, in.length);
            for (int i = 0; i < in.length; i++) {
                out[i] = in[i] == null ? null : element.read(in[i]);
            }
            return out;
        };
    }

    private static DuckDBValueReader map(DuckDBType type) {
        DuckDBValueReader key = of(type.keyType());
        DuckDBValueReader value = of(type.valueType());
        return v -> {
            if (!(v instanceof Map)) {
                throw unexpected(type, v);
            }
            Map<?, ?> in = (Map<?, ?>) v;
            Map<Object, Object> out = new LinkedHashMap<>(Math.max(4, in.size() * 2));
            for (Map.Entry<?, ?> e : in.entrySet()) {
                out.put(
                        e.getKey() == null ? null : key.read(e.getKey()),
                        e.getValue() == null ? null : value.read(e.getValue()));
            }
            return out;
        };
    }

    private static DuckDBValueReader struct(DuckDBType type) {
        List<DuckDBType.Field> fields = type.children();
        int n = fields.size();
        DuckDBValueReader[] readers = new DuckDBValueReader[n];
        String[] names = new String[n];
        LinkedHashMap<String, Integer> positionByName = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            readers[i] = of(fields.get(i).type());
            names[i] = fields.get(i).name();
            positionByName.put(names[i], i);
        }
        return v -> {
            Object[] values = new Object[n];
            if (v instanceof Struct) {
                Object[] attributes;
                try {
                    attributes = ((Struct) v).getAttributes();
                } catch (SQLException e) {
                    throw new ValueReadException(
                            "cannot read a " + type.toSql() + ": " + e.getMessage());
                }
                if (attributes.length != n) {
                    throw new ValueReadException(
                            "a " + type.toSql() + " value has " + attributes.length + " fields");
                }
                for (int i = 0; i < n; i++) {
                    values[i] = attributes[i] == null ? null : readers[i].read(attributes[i]);
                }
            } else if (v instanceof Map) {
                Map<?, ?> in = (Map<?, ?>) v;
                for (int i = 0; i < n; i++) {
                    Object field = in.get(names[i]);
                    values[i] = field == null ? null : readers[i].read(field);
                }
            } else if (v instanceof Row) {
                Row in = (Row) v;
                for (int i = 0; i < n; i++) {
                    Object field = in.getField(i);
                    values[i] = field == null ? null : readers[i].read(field);
                }
            } else {
                throw unexpected(type, v);
            }
            return RowUtils.createRowWithNamedPositions(RowKind.INSERT, values, positionByName);
        };
    }

    private static Number number(DuckDBType type, Object v) throws ValueReadException {
        if (v instanceof Number) {
            return (Number) v;
        }
        throw unexpected(type, v);
    }

    private static BigDecimal wholeDecimal(DuckDBType type, Object v) throws ValueReadException {
        if (v instanceof BigInteger) {
            return new BigDecimal((BigInteger) v);
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigDecimal) {
            return (BigDecimal) v;
        }
        if (v instanceof CharSequence) {
            try {
                return new BigDecimal(v.toString());
            } catch (NumberFormatException e) {
                throw unexpected(type, v);
            }
        }
        throw unexpected(type, v);
    }

    private static byte[] bytes(DuckDBType type, Object v) throws ValueReadException {
        if (v instanceof byte[]) {
            return (byte[]) v;
        }
        if (v instanceof ByteBuffer) {
            ByteBuffer b = ((ByteBuffer) v).duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
        if (v instanceof Blob) {
            try {
                Blob blob = (Blob) v;
                return blob.getBytes(1, (int) blob.length());
            } catch (SQLException e) {
                throw new ValueReadException("cannot read a BLOB: " + e.getMessage());
            }
        }
        throw unexpected(type, v);
    }

    private static ValueReadException unexpected(DuckDBType type, Object v) {
        return new ValueReadException(
                "a "
                        + type.toSql()
                        + " value came as "
                        + (v == null ? "null" : v.getClass().getName()));
    }
}
