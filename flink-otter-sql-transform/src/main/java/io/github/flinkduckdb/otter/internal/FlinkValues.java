package io.github.flinkduckdb.otter.internal;

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
 * Turns values DuckDB's JDBC driver returns (and values the sink's strict converter returns) into
 * the Java types {@link FlinkTypes} declares. A reader is compiled once per DuckDB type.
 */
@Internal
public final class FlinkValues {

    private FlinkValues() {}

    /** Reads one value of a known DuckDB type. */
    public interface Reader {
        Object read(Object value) throws ValueReadException;
    }

    /** A value that does not have the Java form its DuckDB type promises. */
    public static final class ValueReadException extends Exception {
        private static final long serialVersionUID = 1L;

        public ValueReadException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A reader for values of {@code type} as DuckDB's JDBC driver or the sink converter gives them.
     */
    public static Reader reader(DuckDBType type) {
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
            case BIGNUM:
                return v -> bigInteger(type, v);
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

    private static Reader list(DuckDBType type) {
        Reader element = reader(type.elementType());
        Class<?> elementClass = FlinkTypes.of(type.elementType()).getTypeClass();
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

    private static Reader map(DuckDBType type) {
        Reader key = reader(type.keyType());
        Reader value = reader(type.valueType());
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

    private static Reader struct(DuckDBType type) {
        List<DuckDBType.Field> fields = type.children();
        int n = fields.size();
        Reader[] readers = new Reader[n];
        String[] names = new String[n];
        LinkedHashMap<String, Integer> positionByName = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            readers[i] = reader(fields.get(i).type());
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

    private static BigInteger bigInteger(DuckDBType type, Object v) throws ValueReadException {
        if (v instanceof BigInteger) {
            return (BigInteger) v;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigInteger.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toBigInteger();
        }
        if (v instanceof CharSequence) {
            try {
                return new BigInteger(v.toString());
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
