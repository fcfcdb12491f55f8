package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;

import java.util.List;

/**
 * How DuckDB values appear in Flink: the {@link TypeInformation} of each DuckDB type.
 *
 * <table>
 *   <caption>DuckDB to Flink</caption>
 *   <tr><th>DuckDB</th><th>Java / Flink</th></tr>
 *   <tr><td>BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, DOUBLE</td><td>Boolean, Byte,
 *   Short, Integer, Long, Float, Double</td></tr>
 *   <tr><td>UTINYINT, USMALLINT, UINTEGER</td><td>Short, Integer, Long (the next wider
 *   type)</td></tr>
 *   <tr><td>UBIGINT, HUGEINT, UHUGEINT, BIGNUM</td><td>BigInteger</td></tr>
 *   <tr><td>DECIMAL</td><td>BigDecimal</td></tr>
 *   <tr><td>DATE, TIME, TIMESTAMP (all precisions)</td><td>LocalDate, LocalTime,
 *   LocalDateTime</td></tr>
 *   <tr><td>TIMESTAMP WITH TIME ZONE</td><td>Instant</td></tr>
 *   <tr><td>BLOB</td><td>byte[]</td></tr>
 *   <tr><td>LIST, ARRAY</td><td>an object array of the element type (null elements
 *   allowed)</td></tr>
 *   <tr><td>MAP</td><td>Map</td></tr>
 *   <tr><td>STRUCT</td><td>a Row with the field names</td></tr>
 *   <tr><td>VARCHAR, JSON, UUID, ENUM, INTERVAL, BIT, TIME WITH TIME ZONE, UNION,
 *   others</td><td>String (DuckDB's text form)</td></tr>
 * </table>
 */
@Internal
public final class FlinkTypes {

    private FlinkTypes() {}

    /** The row type of a model's output. */
    public static RowTypeInfo rowType(List<ColumnSchema> columns) {
        TypeInformation<?>[] types = new TypeInformation<?>[columns.size()];
        String[] names = new String[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            types[i] = of(columns.get(i).type());
            names[i] = columns.get(i).name();
        }
        return new RowTypeInfo(types, names);
    }

    public static TypeInformation<?> of(DuckDBType type) {
        switch (type.id()) {
            case BOOLEAN:
                return Types.BOOLEAN;
            case TINYINT:
                return Types.BYTE;
            case SMALLINT:
            case UTINYINT:
                return Types.SHORT;
            case INTEGER:
            case USMALLINT:
                return Types.INT;
            case BIGINT:
            case UINTEGER:
                return Types.LONG;
            case UBIGINT:
            case HUGEINT:
            case UHUGEINT:
            case BIGNUM:
                return Types.BIG_INT;
            case FLOAT:
                return Types.FLOAT;
            case DOUBLE:
                return Types.DOUBLE;
            case DECIMAL:
                return Types.BIG_DEC;
            case DATE:
                return Types.LOCAL_DATE;
            case TIME:
            case TIME_NS:
                return Types.LOCAL_TIME;
            case TIMESTAMP_S:
            case TIMESTAMP_MS:
            case TIMESTAMP:
            case TIMESTAMP_NS:
                return Types.LOCAL_DATE_TIME;
            case TIMESTAMP_TZ:
                return Types.INSTANT;
            case BLOB:
                return Types.PRIMITIVE_ARRAY(Types.BYTE);
            case LIST:
            case ARRAY:
                return Types.OBJECT_ARRAY(of(type.elementType()));
            case MAP:
                return Types.MAP(of(type.keyType()), of(type.valueType()));
            case STRUCT:
                {
                    List<DuckDBType.Field> fields = type.children();
                    String[] names = new String[fields.size()];
                    TypeInformation<?>[] types = new TypeInformation<?>[fields.size()];
                    for (int i = 0; i < fields.size(); i++) {
                        names[i] = fields.get(i).name();
                        types[i] = of(fields.get(i).type());
                    }
                    return Types.ROW_NAMED(names, types);
                }
            default:
                return Types.STRING;
        }
    }
}
