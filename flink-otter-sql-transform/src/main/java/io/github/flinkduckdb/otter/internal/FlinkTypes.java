package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

import java.util.List;

/**
 * The {@link TypeInformation} of a model's output rows: each DuckDB column's Flink type from the
 * project's one type table ({@link DuckDBTypeMapping#toFlinkOrText}), as the DataStream type of its
 * Java class (e.g. HUGEINT is DECIMAL(38, 0), so {@code BigDecimal}; LIST is an object array of the
 * element type; STRUCT a {@code Row} with the field names).
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
        return of(DuckDBTypeMapping.toFlinkOrText(type).getLogicalType());
    }

    private static TypeInformation<?> of(LogicalType type) {
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                return Types.BOOLEAN;
            case TINYINT:
                return Types.BYTE;
            case SMALLINT:
                return Types.SHORT;
            case INTEGER:
                return Types.INT;
            case BIGINT:
                return Types.LONG;
            case FLOAT:
                return Types.FLOAT;
            case DOUBLE:
                return Types.DOUBLE;
            case DECIMAL:
                return Types.BIG_DEC;
            case DATE:
                return Types.LOCAL_DATE;
            case TIME_WITHOUT_TIME_ZONE:
                return Types.LOCAL_TIME;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return Types.LOCAL_DATE_TIME;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return Types.INSTANT;
            case BINARY:
            case VARBINARY:
                return Types.PRIMITIVE_ARRAY(Types.BYTE);
            case ARRAY:
                return Types.OBJECT_ARRAY(of(((ArrayType) type).getElementType()));
            case MAP:
                {
                    MapType m = (MapType) type;
                    return Types.MAP(of(m.getKeyType()), of(m.getValueType()));
                }
            case ROW:
                {
                    RowType r = (RowType) type;
                    String[] names = r.getFieldNames().toArray(new String[0]);
                    TypeInformation<?>[] types = new TypeInformation<?>[names.length];
                    for (int i = 0; i < names.length; i++) {
                        types[i] = of(r.getTypeAt(i));
                    }
                    return Types.ROW_NAMED(names, types);
                }
            default:
                return Types.STRING;
        }
    }
}
