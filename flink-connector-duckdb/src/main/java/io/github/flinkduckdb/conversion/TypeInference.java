package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Infers a DuckDB column type from a Java value, for {@link
 * io.github.flinkduckdb.sink.UnknownColumnPolicy#EVOLVE}: whole numbers become BIGINT (HUGEINT for
 * BigInteger), other numbers DOUBLE (BigDecimal keeps its scale), maps STRUCT, lists LIST.
 */
@Internal
public final class TypeInference {

    private TypeInference() {}

    /** Returns null when {@code value} carries no type information (null, empty collections). */
    public static DuckDBType infer(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean) {
            return DuckDBType.of(DuckDBType.Id.BOOLEAN);
        }
        if (value instanceof Long
                || value instanceof Integer
                || value instanceof Short
                || value instanceof Byte) {
            return DuckDBType.of(DuckDBType.Id.BIGINT);
        }
        if (value instanceof BigInteger) {
            return DuckDBType.of(DuckDBType.Id.HUGEINT);
        }
        if (value instanceof BigDecimal) {
            int scale = Math.max(0, Math.min(((BigDecimal) value).scale(), 18));
            return DuckDBType.decimal(38, scale);
        }
        if (value instanceof Number) {
            return DuckDBType.of(DuckDBType.Id.DOUBLE);
        }
        if (value instanceof CharSequence || value instanceof Character || value instanceof Enum) {
            return DuckDBType.of(DuckDBType.Id.VARCHAR);
        }
        if (value instanceof UUID) {
            return DuckDBType.of(DuckDBType.Id.UUID);
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            return DuckDBType.of(DuckDBType.Id.BLOB);
        }
        if (value instanceof LocalDate || value instanceof java.sql.Date) {
            return DuckDBType.of(DuckDBType.Id.DATE);
        }
        if (value instanceof LocalTime || value instanceof java.sql.Time) {
            return DuckDBType.of(DuckDBType.Id.TIME);
        }
        if (value instanceof OffsetTime) {
            return DuckDBType.of(DuckDBType.Id.TIME_TZ);
        }
        if (value instanceof LocalDateTime || value instanceof java.sql.Timestamp) {
            return DuckDBType.of(DuckDBType.Id.TIMESTAMP);
        }
        if (value instanceof Instant
                || value instanceof OffsetDateTime
                || value instanceof ZonedDateTime) {
            return DuckDBType.of(DuckDBType.Id.TIMESTAMP_TZ);
        }
        if (value instanceof Duration || value instanceof Period) {
            return DuckDBType.of(DuckDBType.Id.INTERVAL);
        }
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            List<DuckDBType.Field> fields = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                DuckDBType t = infer(e.getValue());
                fields.add(
                        new DuckDBType.Field(
                                String.valueOf(e.getKey()),
                                t != null ? t : DuckDBType.of(DuckDBType.Id.VARCHAR)));
            }
            return fields.isEmpty() ? null : DuckDBType.struct(fields);
        }
        if (value instanceof Row) {
            Row row = (Row) value;
            Set<String> names = row.getFieldNames(true);
            if (names == null || names.isEmpty()) {
                return null;
            }
            List<DuckDBType.Field> fields = new ArrayList<>();
            for (String name : names) {
                DuckDBType t = infer(row.getField(name));
                fields.add(
                        new DuckDBType.Field(
                                name, t != null ? t : DuckDBType.of(DuckDBType.Id.VARCHAR)));
            }
            return DuckDBType.struct(fields);
        }
        if (value instanceof Collection) {
            for (Object o : (Collection<?>) value) {
                DuckDBType t = infer(o);
                if (t != null) {
                    return DuckDBType.list(t);
                }
            }
            return null;
        }
        return null;
    }
}
