package io.github.flinkduckdb.source;

import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.conversion.DuckDBValueReader;
import io.github.flinkduckdb.conversion.ValueReadException;

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
import org.apache.flink.types.Row;

import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads DuckDB result rows into Flink's internal {@link RowData}. The queries this connector runs
 * cast every column to the DuckDB type of its declared Flink type ({@link DuckDBTypeMapping}), so
 * each column has one known DuckDB type: primitives, strings, decimals and bytes come straight from
 * the JDBC getters, every other value is read by the shared {@link DuckDBValueReader} and only
 * re-represented here in Flink's internal data structures.
 */
@Internal
public final class DuckDBRowDataReader implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final LogicalType[] types;
    private transient DuckDBValueReader[] readers;

    public DuckDBRowDataReader(RowType rowType) {
        this.names = rowType.getFieldNames().toArray(new String[0]);
        this.types = rowType.getChildren().toArray(new LogicalType[0]);
    }

    /** The current row of {@code rs}, whose columns are this converter's fields in order. */
    public RowData read(ResultSet rs) throws SQLException {
        if (readers == null) {
            readers = new DuckDBValueReader[types.length];
            for (int i = 0; i < types.length; i++) {
                readers[i] = DuckDBValueReader.of(DuckDBTypeMapping.toDuckDB(types[i], names[i]));
            }
        }
        GenericRowData row = new GenericRowData(types.length);
        for (int i = 0; i < types.length; i++) {
            try {
                row.setField(i, readColumn(rs, i + 1, types[i], readers[i]));
            } catch (SQLException | ValueReadException | RuntimeException e) {
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

    private static Object readColumn(
            ResultSet rs, int column, LogicalType type, DuckDBValueReader reader)
            throws SQLException, ValueReadException {
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
                return toInternal(rs.getBigDecimal(column), type);
            case CHAR:
            case VARCHAR:
                {
                    String s = rs.getString(column);
                    return s == null ? null : StringData.fromString(s);
                }
            case BINARY:
            case VARBINARY:
                return rs.getBytes(column);
            case DATE:
                return read(rs.getObject(column, LocalDate.class), type, reader);
            case TIME_WITHOUT_TIME_ZONE:
                return read(rs.getObject(column, LocalTime.class), type, reader);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return read(rs.getObject(column, LocalDateTime.class), type, reader);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return read(rs.getObject(column, OffsetDateTime.class), type, reader);
            default:
                return read(rs.getObject(column), type, reader);
        }
        return rs.wasNull() ? null : value;
    }

    private static Object read(Object driverValue, LogicalType type, DuckDBValueReader reader)
            throws SQLException, ValueReadException {
        return driverValue == null ? null : toInternal(reader.read(driverValue), type);
    }

    /**
     * A value in the Java class {@link DuckDBValueReader} returns for {@code type}'s DuckDB type,
     * in Flink's internal representation of {@code type}.
     */
    static Object toInternal(Object v, LogicalType type) throws SQLException {
        if (v == null) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case DECIMAL:
                {
                    DecimalType d = (DecimalType) type;
                    DecimalData data =
                            DecimalData.fromBigDecimal(
                                    (BigDecimal) v, d.getPrecision(), d.getScale());
                    if (data == null) {
                        throw new SQLException("the value does not fit " + type.asSummaryString());
                    }
                    return data;
                }
            case CHAR:
            case VARCHAR:
                return StringData.fromString(v.toString());
            case DATE:
                return (int) ((LocalDate) v).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return (int) (((LocalTime) v).toNanoOfDay() / 1_000_000L);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return TimestampData.fromLocalDateTime((LocalDateTime) v);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return TimestampData.fromInstant((Instant) v);
            case ARRAY:
                {
                    Object[] elements = (Object[]) v;
                    LogicalType element = ((ArrayType) type).getElementType();
                    Object[] out = new Object[elements.length];
                    for (int i = 0; i < elements.length; i++) {
                        out[i] = toInternal(elements[i], element);
                    }
                    return new GenericArrayData(out);
                }
            case MAP:
                {
                    MapType m = (MapType) type;
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                        out.put(
                                toInternal(e.getKey(), m.getKeyType()),
                                toInternal(e.getValue(), m.getValueType()));
                    }
                    return new GenericMapData(out);
                }
            case ROW:
                {
                    Row in = (Row) v;
                    RowType r = (RowType) type;
                    GenericRowData out = new GenericRowData(r.getFieldCount());
                    for (int i = 0; i < r.getFieldCount(); i++) {
                        out.setField(i, toInternal(in.getField(i), r.getTypeAt(i)));
                    }
                    return out;
                }
            default:
                // BOOLEAN, numbers and byte[] are the same inside Flink.
                return v;
        }
    }
}
