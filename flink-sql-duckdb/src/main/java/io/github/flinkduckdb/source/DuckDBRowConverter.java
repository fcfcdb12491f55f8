package io.github.flinkduckdb.source;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Struct;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads DuckDB result rows into Flink's internal {@link RowData}. The queries this connector runs
 * cast every column to the DuckDB type of its declared Flink type (see {@code DuckDBTypeMapping}),
 * so each reader here sees one known DuckDB type; nested values arrive as the driver's arrays,
 * structs and maps and are converted element by element.
 */
@Internal
public final class DuckDBRowConverter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final LogicalType[] types;

    public DuckDBRowConverter(RowType rowType) {
        this.names = rowType.getFieldNames().toArray(new String[0]);
        this.types = rowType.getChildren().toArray(new LogicalType[0]);
    }

    /** The current row of {@code rs}, whose columns are this converter's fields in order. */
    public RowData read(ResultSet rs) throws SQLException {
        GenericRowData row = new GenericRowData(types.length);
        for (int i = 0; i < types.length; i++) {
            try {
                row.setField(i, readColumn(rs, i + 1, types[i]));
            } catch (SQLException | RuntimeException e) {
                throw new SQLException(
                        "Cannot read column '"
                                + names[i]
                                + "' as "
                                + types[i].asSummaryString()
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        return row;
    }

    private static Object readColumn(ResultSet rs, int column, LogicalType type)
            throws SQLException {
        Object value;
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                value = rs.getBoolean(column);
                break;
            case TINYINT:
                value = rs.getByte(column);
                break;
            case SMALLINT:
                value = rs.getShort(column);
                break;
            case INTEGER:
                value = rs.getInt(column);
                break;
            case BIGINT:
                value = rs.getLong(column);
                break;
            case FLOAT:
                value = rs.getFloat(column);
                break;
            case DOUBLE:
                value = rs.getDouble(column);
                break;
            case DECIMAL:
                return convert(rs.getBigDecimal(column), type);
            case CHAR:
            case VARCHAR:
                return convert(rs.getString(column), type);
            case BINARY:
            case VARBINARY:
                return rs.getBytes(column);
            case DATE:
                return convert(rs.getObject(column, LocalDate.class), type);
            case TIME_WITHOUT_TIME_ZONE:
                return convert(rs.getObject(column, LocalTime.class), type);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return convert(rs.getObject(column, LocalDateTime.class), type);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return convert(rs.getObject(column, OffsetDateTime.class), type);
            default:
                return convert(rs.getObject(column), type);
        }
        return rs.wasNull() ? null : value;
    }

    /**
     * A value as the DuckDB driver returns it (top level or nested) converted to Flink's internal
     * representation of {@code type}.
     */
    public static Object convert(Object v, LogicalType type) throws SQLException {
        if (v == null) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                return (Boolean) v;
            case TINYINT:
                return ((Number) v).byteValue();
            case SMALLINT:
                return ((Number) v).shortValue();
            case INTEGER:
                return ((Number) v).intValue();
            case BIGINT:
                return ((Number) v).longValue();
            case FLOAT:
                return ((Number) v).floatValue();
            case DOUBLE:
                return ((Number) v).doubleValue();
            case DECIMAL:
                {
                    DecimalType d = (DecimalType) type;
                    BigDecimal b =
                            v instanceof BigDecimal
                                    ? (BigDecimal) v
                                    : v instanceof BigInteger
                                            ? new BigDecimal((BigInteger) v)
                                            : new BigDecimal(v.toString());
                    DecimalData data =
                            DecimalData.fromBigDecimal(b, d.getPrecision(), d.getScale());
                    if (data == null) {
                        throw new SQLException("the value does not fit " + type.asSummaryString());
                    }
                    return data;
                }
            case CHAR:
            case VARCHAR:
                return StringData.fromString(v.toString());
            case BINARY:
            case VARBINARY:
                if (v instanceof byte[]) {
                    return v;
                }
                if (v instanceof Blob) {
                    Blob blob = (Blob) v;
                    return blob.getBytes(1, (int) blob.length());
                }
                if (v instanceof ByteBuffer) {
                    ByteBuffer b = ((ByteBuffer) v).duplicate();
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    return bytes;
                }
                break;
            case DATE:
                if (v instanceof LocalDate) {
                    return (int) ((LocalDate) v).toEpochDay();
                }
                if (v instanceof java.sql.Date) {
                    return (int) ((java.sql.Date) v).toLocalDate().toEpochDay();
                }
                break;
            case TIME_WITHOUT_TIME_ZONE:
                if (v instanceof LocalTime) {
                    return (int) (((LocalTime) v).toNanoOfDay() / 1_000_000L);
                }
                if (v instanceof java.sql.Time) {
                    return (int) (((java.sql.Time) v).toLocalTime().toNanoOfDay() / 1_000_000L);
                }
                break;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                if (v instanceof LocalDateTime) {
                    return TimestampData.fromLocalDateTime((LocalDateTime) v);
                }
                if (v instanceof java.sql.Timestamp) {
                    // The driver builds nested timestamps from their wall-clock fields.
                    return TimestampData.fromLocalDateTime(
                            ((java.sql.Timestamp) v).toLocalDateTime());
                }
                break;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                if (v instanceof OffsetDateTime) {
                    return TimestampData.fromInstant(((OffsetDateTime) v).toInstant());
                }
                if (v instanceof ZonedDateTime) {
                    return TimestampData.fromInstant(((ZonedDateTime) v).toInstant());
                }
                if (v instanceof Instant) {
                    return TimestampData.fromInstant((Instant) v);
                }
                if (v instanceof java.sql.Timestamp) {
                    return TimestampData.fromInstant(((java.sql.Timestamp) v).toInstant());
                }
                break;
            case ARRAY:
                {
                    Object[] elements;
                    if (v instanceof java.sql.Array) {
                        elements = (Object[]) ((java.sql.Array) v).getArray();
                    } else if (v instanceof Object[]) {
                        elements = (Object[]) v;
                    } else if (v instanceof List) {
                        elements = ((List<?>) v).toArray();
                    } else {
                        break;
                    }
                    LogicalType element = ((ArrayType) type).getElementType();
                    Object[] out = new Object[elements.length];
                    for (int i = 0; i < elements.length; i++) {
                        out[i] = convert(elements[i], element);
                    }
                    return new GenericArrayData(out);
                }
            case MAP:
                {
                    if (!(v instanceof Map)) {
                        break;
                    }
                    MapType m = (MapType) type;
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                        out.put(
                                convert(e.getKey(), m.getKeyType()),
                                convert(e.getValue(), m.getValueType()));
                    }
                    return new GenericMapData(out);
                }
            case ROW:
                {
                    RowType r = (RowType) type;
                    GenericRowData out = new GenericRowData(r.getFieldCount());
                    if (v instanceof Struct) {
                        Object[] attributes = ((Struct) v).getAttributes();
                        for (int i = 0; i < r.getFieldCount() && i < attributes.length; i++) {
                            out.setField(i, convert(attributes[i], r.getTypeAt(i)));
                        }
                        return out;
                    }
                    if (v instanceof Map) {
                        Map<?, ?> byName = (Map<?, ?>) v;
                        for (int i = 0; i < r.getFieldCount(); i++) {
                            out.setField(
                                    i,
                                    convert(byName.get(r.getFieldNames().get(i)), r.getTypeAt(i)));
                        }
                        return out;
                    }
                    break;
                }
            default:
                break;
        }
        throw new SQLException(
                "a value of Java type "
                        + v.getClass().getName()
                        + " cannot be read as "
                        + type.asSummaryString());
    }
}
