package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The project's one table between DuckDB types and Flink types, both ways: the Flink SQL connector
 * declares and reads columns by it, the catalog shows DuckDB tables by it, and the Otter transform
 * types its output rows by it ({@link DataType#getConversionClass()} is the Java class a {@link
 * DuckDBValueReader} returns). Only the SQL layer and the transform load this class, so the
 * DataStream sink needs no Table API at run time.
 *
 * <table>
 *   <caption>Flink to DuckDB (DDL derived by 'create-table' = 'true' and by the catalog)</caption>
 *   <tr><th>Flink</th><th>DuckDB</th></tr>
 *   <tr><td>BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE</td><td>same name (INT: INTEGER)</td></tr>
 *   <tr><td>DECIMAL(p,s)</td><td>DECIMAL(p,s)</td></tr>
 *   <tr><td>CHAR, VARCHAR, STRING</td><td>VARCHAR</td></tr>
 *   <tr><td>BINARY, VARBINARY, BYTES</td><td>BLOB</td></tr>
 *   <tr><td>DATE, TIME(p)</td><td>DATE, TIME</td></tr>
 *   <tr><td>TIMESTAMP(p)</td><td>TIMESTAMP (p &lt;= 6), TIMESTAMP_NS (p &gt; 6)</td></tr>
 *   <tr><td>TIMESTAMP_LTZ(p)</td><td>TIMESTAMPTZ</td></tr>
 *   <tr><td>ARRAY&lt;T&gt;, MAP&lt;K,V&gt;, ROW&lt;...&gt;</td><td>T[], MAP(K, V), STRUCT(...)</td></tr>
 * </table>
 *
 * <p>DuckDB to Flink: the reverse, plus HUGEINT and UHUGEINT as DECIMAL(38, 0), UBIGINT as
 * DECIMAL(20, 0), UINTEGER as BIGINT, USMALLINT as INT, UTINYINT as SMALLINT, TIME_NS as TIME(3),
 * TIMESTAMP_S/_MS/_NS as TIMESTAMP(0)/(3)/(9), TIMESTAMPTZ as TIMESTAMP_LTZ(6), fixed-size arrays
 * as ARRAY, and UUID, JSON, ENUM, INTERVAL, BIT, BIGNUM (VARINT) and TIME WITH TIME ZONE as STRING
 * (DuckDB's text form, which DuckDB casts back when such a column is written). UNION and
 * user-defined types have no Flink SQL type ({@link #toFlink}); {@link #toFlinkOrText} reads them
 * as STRING too.
 */
@Internal
public final class DuckDBTypeMapping {

    private DuckDBTypeMapping() {}

    /**
     * The DuckDB type a Flink type is stored as.
     *
     * @param column the column (path) named in the error for a type DuckDB cannot store
     */
    public static DuckDBType toDuckDB(LogicalType type, String column) {
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                return DuckDBType.of(DuckDBType.Id.BOOLEAN);
            case TINYINT:
                return DuckDBType.of(DuckDBType.Id.TINYINT);
            case SMALLINT:
                return DuckDBType.of(DuckDBType.Id.SMALLINT);
            case INTEGER:
                return DuckDBType.of(DuckDBType.Id.INTEGER);
            case BIGINT:
                return DuckDBType.of(DuckDBType.Id.BIGINT);
            case FLOAT:
                return DuckDBType.of(DuckDBType.Id.FLOAT);
            case DOUBLE:
                return DuckDBType.of(DuckDBType.Id.DOUBLE);
            case DECIMAL:
                {
                    DecimalType d = (DecimalType) type;
                    return DuckDBType.decimal(d.getPrecision(), d.getScale());
                }
            case CHAR:
            case VARCHAR:
                return DuckDBType.of(DuckDBType.Id.VARCHAR);
            case BINARY:
            case VARBINARY:
                return DuckDBType.of(DuckDBType.Id.BLOB);
            case DATE:
                return DuckDBType.of(DuckDBType.Id.DATE);
            case TIME_WITHOUT_TIME_ZONE:
                return DuckDBType.of(DuckDBType.Id.TIME);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return LogicalTypeChecks.getPrecision(type) > 6
                        ? DuckDBType.of(DuckDBType.Id.TIMESTAMP_NS)
                        : DuckDBType.of(DuckDBType.Id.TIMESTAMP);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return DuckDBType.of(DuckDBType.Id.TIMESTAMP_TZ);
            case ARRAY:
                return DuckDBType.list(
                        toDuckDB(((ArrayType) type).getElementType(), column + "[]"));
            case MAP:
                {
                    MapType m = (MapType) type;
                    return DuckDBType.map(
                            toDuckDB(m.getKeyType(), column + ".key"),
                            toDuckDB(m.getValueType(), column + ".value"));
                }
            case ROW:
                {
                    RowType r = (RowType) type;
                    List<DuckDBType.Field> fields = new ArrayList<>();
                    for (RowType.RowField f : r.getFields()) {
                        fields.add(
                                new DuckDBType.Field(
                                        f.getName(),
                                        toDuckDB(f.getType(), column + "." + f.getName())));
                    }
                    return DuckDBType.struct(fields);
                }
            default:
                throw new ValidationException(
                        "Column '"
                                + column
                                + "' has Flink type "
                                + type.asSummaryString()
                                + ", which the duckdb connector does not support; supported are BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, CHAR, VARCHAR, STRING, BINARY, VARBINARY, BYTES, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ, ARRAY, MAP and ROW");
        }
    }

    /**
     * The Flink type a DuckDB column is read as (nullable; the caller applies NOT NULL).
     *
     * @throws ValidationException naming the column for UNION and user-defined types
     */
    public static DataType toFlink(DuckDBType type, String column) {
        return toFlink(type, column, false);
    }

    /**
     * The Flink type a DuckDB value is read as where every DuckDB type must have one (the Otter
     * transform's output rows): as {@link #toFlink}, with UNION and user-defined types as STRING
     * (DuckDB's text form).
     */
    public static DataType toFlinkOrText(DuckDBType type) {
        return toFlink(type, "?", true);
    }

    private static DataType toFlink(DuckDBType type, String column, boolean textForOthers) {
        switch (type.id()) {
            case BOOLEAN:
                return DataTypes.BOOLEAN();
            case TINYINT:
                return DataTypes.TINYINT();
            case SMALLINT:
            case UTINYINT:
                return DataTypes.SMALLINT();
            case INTEGER:
            case USMALLINT:
                return DataTypes.INT();
            case BIGINT:
            case UINTEGER:
                return DataTypes.BIGINT();
            case UBIGINT:
                return DataTypes.DECIMAL(20, 0);
            case HUGEINT:
            case UHUGEINT:
                return DataTypes.DECIMAL(38, 0);
            case FLOAT:
                return DataTypes.FLOAT();
            case DOUBLE:
                return DataTypes.DOUBLE();
            case DECIMAL:
                return DataTypes.DECIMAL(type.precision(), type.scale());
            case VARCHAR:
            case JSON:
            case UUID:
            case ENUM:
            case BIT:
            case BIGNUM:
            case INTERVAL:
            case TIME_TZ:
                return DataTypes.STRING();
            case BLOB:
                return DataTypes.BYTES();
            case DATE:
                return DataTypes.DATE();
            case TIME:
            case TIME_NS:
                return DataTypes.TIME(3);
            case TIMESTAMP_S:
                return DataTypes.TIMESTAMP(0);
            case TIMESTAMP_MS:
                return DataTypes.TIMESTAMP(3);
            case TIMESTAMP:
                return DataTypes.TIMESTAMP(6);
            case TIMESTAMP_NS:
                return DataTypes.TIMESTAMP(9);
            case TIMESTAMP_TZ:
                return DataTypes.TIMESTAMP_LTZ(6);
            case LIST:
            case ARRAY:
                return DataTypes.ARRAY(toFlink(type.elementType(), column + "[]", textForOthers));
            case MAP:
                return DataTypes.MAP(
                        toFlink(type.keyType(), column + ".key", textForOthers),
                        toFlink(type.valueType(), column + ".value", textForOthers));
            case STRUCT:
                {
                    List<DataTypes.Field> fields = new ArrayList<>();
                    for (DuckDBType.Field f : type.children()) {
                        fields.add(
                                DataTypes.FIELD(
                                        f.name(),
                                        toFlink(f.type(), column + "." + f.name(), textForOthers)));
                    }
                    return DataTypes.ROW(fields);
                }
            case UNION:
            case OTHER:
            default:
                if (textForOthers) {
                    return DataTypes.STRING();
                }
                throw new ValidationException(
                        "Column '"
                                + column
                                + "' has DuckDB type "
                                + type.toSql()
                                + ", which has no Flink SQL type in the duckdb connector; leave the column out of the Flink schema or cast it in a DuckDB view");
        }
    }

    /**
     * The DuckDB schema of a Flink table's physical columns, with its primary key and NOT NULL
     * constraints, as {@code 'create-table' = 'true'} and the catalog create it.
     */
    public static DuckDBTableSchema toDuckDBSchema(ResolvedSchema schema, TableIdentifier table) {
        List<ColumnSchema> columns = new ArrayList<>();
        for (Column c : schema.getColumns()) {
            if (!c.isPhysical()) {
                continue;
            }
            LogicalType t = c.getDataType().getLogicalType();
            columns.add(
                    new ColumnSchema(c.getName(), toDuckDB(t, c.getName()), t.isNullable(), null));
        }
        List<String> key =
                schema.getPrimaryKey()
                        .map(UniqueConstraint::getColumns)
                        .orElse(Collections.emptyList());
        return new DuckDBTableSchema(table, columns, key);
    }
}
