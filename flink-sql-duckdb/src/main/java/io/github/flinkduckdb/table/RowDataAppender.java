package io.github.flinkduckdb.table;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.sink.DuckDBRowAppender;
import io.github.flinkduckdb.sink.DuckDBSinkException;
import io.github.flinkduckdb.sink.RecordConverter;
import io.github.flinkduckdb.sink.RowCollector;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Flink's internal {@link RowData} into DuckDB rows by the declared Flink types, on the
 * sink's typed fast path: primitives go straight to DuckDB's appender, nested values (ARRAY, MAP,
 * ROW) are converted to lists and maps and then strictly to the column's DuckDB type. The row kind
 * travels along: with a primary key the sink upserts {@code +I}/{@code +U}, deletes by key on
 * {@code -D} and ignores {@code -U}.
 *
 * <p>Columns are matched by name (case-insensitive); DuckDB columns the Flink table does not
 * declare get their default (NULL without one).
 */
@Internal
public final class RowDataAppender implements RecordConverter<RowData> {

    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final LogicalType[] types;
    private transient FieldWriter[] writers;

    public RowDataAppender(RowType rowType) {
        this.names = rowType.getFieldNames().toArray(new String[0]);
        this.types = rowType.getChildren().toArray(new LogicalType[0]);
    }

    @Override
    public void open(DuckDBTableSchema schema) {
        FieldWriter[] out = new FieldWriter[schema.size()];
        boolean[] used = new boolean[names.length];
        for (int j = 0; j < schema.size(); j++) {
            ColumnSchema column = schema.column(j);
            int field = -1;
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(column.name())) {
                    field = i;
                    break;
                }
            }
            if (field < 0) {
                out[j] = (row, a) -> a.appendDefault();
            } else {
                used[field] = true;
                out[j] = writer(field, types[field]);
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (!used[i]) {
                throw new DuckDBSinkException(
                        "Column '"
                                + names[i]
                                + "' of the Flink table is not a column of DuckDB table "
                                + schema.identifier());
            }
        }
        writers = out;
    }

    @Override
    public void convert(RowData row, RowCollector out) {
        DuckDBRowAppender a = out.beginRow(row.getRowKind());
        for (FieldWriter w : writers) {
            w.write(row, a);
        }
        a.endRow();
    }

    /** Appends one DuckDB column's value from the Flink row. */
    @FunctionalInterface
    private interface FieldWriter {
        void write(RowData row, DuckDBRowAppender a);
    }

    private static FieldWriter writer(int i, LogicalType type) {
        FieldWriter nonNull;
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                nonNull = (r, a) -> a.append(r.getBoolean(i));
                break;
            case TINYINT:
                nonNull = (r, a) -> a.appendObject(r.getByte(i));
                break;
            case SMALLINT:
                nonNull = (r, a) -> a.appendObject(r.getShort(i));
                break;
            case INTEGER:
                nonNull = (r, a) -> a.append(r.getInt(i));
                break;
            case BIGINT:
                nonNull = (r, a) -> a.append(r.getLong(i));
                break;
            case FLOAT:
                nonNull = (r, a) -> a.append(r.getFloat(i));
                break;
            case DOUBLE:
                nonNull = (r, a) -> a.append(r.getDouble(i));
                break;
            case CHAR:
            case VARCHAR:
                nonNull = (r, a) -> a.append(r.getString(i).toString());
                break;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                {
                    int p = LogicalTypeChecks.getPrecision(type);
                    nonNull = (r, a) -> a.append(r.getTimestamp(i, p).toLocalDateTime());
                    break;
                }
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                {
                    int p = LogicalTypeChecks.getPrecision(type);
                    nonNull = (r, a) -> a.append(r.getTimestamp(i, p).toInstant());
                    break;
                }
            default:
                {
                    RowData.FieldGetter getter = RowData.createFieldGetter(type, i);
                    nonNull = (r, a) -> a.appendObject(toJava(getter.getFieldOrNull(r), type));
                }
        }
        FieldWriter typed = nonNull;
        return (r, a) -> {
            if (r.isNullAt(i)) {
                a.appendNull();
            } else {
                typed.write(r, a);
            }
        };
    }

    /**
     * An internal Flink value as the Java value the sink's strict conversion takes: {@code
     * StringData} as String, {@code DecimalData} as BigDecimal, DATE as LocalDate, TIME as
     * LocalTime, TIMESTAMP as LocalDateTime, TIMESTAMP_LTZ as Instant, ARRAY as List, MAP as
     * LinkedHashMap and ROW as a map by field name.
     */
    static Object toJava(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return value.toString();
            case DECIMAL:
                return ((org.apache.flink.table.data.DecimalData) value).toBigDecimal();
            case DATE:
                return LocalDate.ofEpochDay((Integer) value);
            case TIME_WITHOUT_TIME_ZONE:
                return LocalTime.ofNanoOfDay((Integer) value * 1_000_000L);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return ((org.apache.flink.table.data.TimestampData) value).toLocalDateTime();
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return ((org.apache.flink.table.data.TimestampData) value).toInstant();
            case ARRAY:
                {
                    ArrayData array = (ArrayData) value;
                    LogicalType element = ((ArrayType) type).getElementType();
                    ArrayData.ElementGetter getter = ArrayData.createElementGetter(element);
                    List<Object> out = new ArrayList<>(array.size());
                    for (int k = 0; k < array.size(); k++) {
                        out.add(toJava(getter.getElementOrNull(array, k), element));
                    }
                    return out;
                }
            case MAP:
            case MULTISET:
                {
                    MapData map = (MapData) value;
                    LogicalType keyType = ((MapType) type).getKeyType();
                    LogicalType valueType = ((MapType) type).getValueType();
                    ArrayData.ElementGetter keys = ArrayData.createElementGetter(keyType);
                    ArrayData.ElementGetter values = ArrayData.createElementGetter(valueType);
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (int k = 0; k < map.size(); k++) {
                        out.put(
                                toJava(keys.getElementOrNull(map.keyArray(), k), keyType),
                                toJava(values.getElementOrNull(map.valueArray(), k), valueType));
                    }
                    return out;
                }
            case ROW:
                {
                    RowData row = (RowData) value;
                    RowType rowType = (RowType) type;
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (int k = 0; k < rowType.getFieldCount(); k++) {
                        LogicalType fieldType = rowType.getTypeAt(k);
                        out.put(
                                rowType.getFieldNames().get(k),
                                toJava(
                                        RowData.createFieldGetter(fieldType, k).getFieldOrNull(row),
                                        fieldType));
                    }
                    return out;
                }
            default:
                // BOOLEAN, numbers, byte[] (BINARY, VARBINARY) are already Java values.
                return value;
        }
    }
}
