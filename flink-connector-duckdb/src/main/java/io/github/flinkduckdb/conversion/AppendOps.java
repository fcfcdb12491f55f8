package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;

import org.duckdb.DuckDBAppender;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Appends a value already converted by {@link ValueConverter} to a staging column with the appender
 * method for its {@link ColumnPlan}: text as is, JSON-staged values as {@link JsonText}, every
 * other value with the overload for its DuckDB type. Returns an estimate of the bytes written, for
 * the {@code numBytesOut} metric.
 */
@Internal
public final class AppendOps {

    private AppendOps() {}

    /** Appends {@code v} (converted for {@code plan}'s type, or null) to the current row. */
    public static long append(DuckDBAppender a, ColumnPlan plan, Object v) throws SQLException {
        switch (plan.mode()) {
            case TEXT:
                {
                    String s = (String) v;
                    a.append(s);
                    return s.length();
                }
            case JSON:
                {
                    String s = JsonText.write(v);
                    a.append(s);
                    return s.length();
                }
            default:
                return appendTyped(a, plan.type(), v);
        }
    }

    private static long appendTyped(DuckDBAppender a, DuckDBType type, Object v)
            throws SQLException {
        if (v == null) {
            a.appendNull();
            return 0;
        }
        switch (type.id()) {
            case BOOLEAN:
                a.append(((Boolean) v).booleanValue());
                return 1;
            case TINYINT:
                a.append(((Byte) v).byteValue());
                return 1;
            case SMALLINT:
                a.append(((Short) v).shortValue());
                return 2;
            case INTEGER:
                a.append(((Integer) v).intValue());
                return 4;
            case BIGINT:
                a.append(((Long) v).longValue());
                return 8;
            case UTINYINT:
                a.append((byte) ((Long) v).longValue());
                return 1;
            case USMALLINT:
                a.append((short) ((Long) v).longValue());
                return 2;
            case UINTEGER:
                a.append((int) ((Long) v).longValue());
                return 4;
            case UBIGINT:
                a.append(((BigInteger) v).longValue());
                return 8;
            case HUGEINT:
                a.append((BigInteger) v);
                return 16;
            case UHUGEINT:
                {
                    BigInteger b = (BigInteger) v;
                    a.appendHugeInt(b.longValue(), b.shiftRight(64).longValue());
                    return 16;
                }
            case FLOAT:
                a.append(((Float) v).floatValue());
                return 4;
            case DOUBLE:
                a.append(((Double) v).doubleValue());
                return 8;
            case DECIMAL:
                a.append((BigDecimal) v);
                return 16;
            case VARCHAR:
            case ENUM:
                {
                    String s = (String) v;
                    a.append(s);
                    return s.length();
                }
            case BLOB:
                {
                    byte[] b = (byte[]) v;
                    a.append(b);
                    return b.length;
                }
            case UUID:
                a.append((UUID) v);
                return 16;
            case DATE:
                a.append((LocalDate) v);
                return 4;
            case TIME:
                a.append((LocalTime) v);
                return 8;
            case TIME_TZ:
                a.append((OffsetTime) v);
                return 8;
            case TIMESTAMP_S:
            case TIMESTAMP_MS:
            case TIMESTAMP:
            case TIMESTAMP_NS:
                a.append((LocalDateTime) v);
                return 8;
            case TIMESTAMP_TZ:
                a.append((OffsetDateTime) v);
                return 8;
            case LIST:
                {
                    Collection<?> c = (Collection<?>) v;
                    a.append(c);
                    return 16L * c.size();
                }
            case MAP:
                {
                    Map<?, ?> m = (Map<?, ?>) v;
                    a.append(m);
                    return 32L * m.size();
                }
            case STRUCT:
                {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> fields = (Map<String, Object>) v;
                    List<DuckDBType.Field> children = type.children();
                    a.beginStruct();
                    long bytes = 0;
                    int i = 0;
                    for (Object fieldValue : fields.values()) {
                        bytes += appendTyped(a, children.get(i++).type(), fieldValue);
                    }
                    a.endStruct();
                    return bytes;
                }
            default:
                throw new SQLException("No appender path for DuckDB type " + type.toSql());
        }
    }
}
