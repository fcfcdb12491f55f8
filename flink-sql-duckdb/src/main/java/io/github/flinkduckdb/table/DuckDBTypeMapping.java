package io.github.flinkduckdb.table;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.schema.TableSchema;

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
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The mapping between Flink SQL types and DuckDB types, both ways, and the compatibility rules used
 * to validate a declared Flink schema against an existing DuckDB table.
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
 * <p>DuckDB to Flink (catalog tables, reading): the reverse, plus HUGEINT and UHUGEINT as
 * DECIMAL(38, 0), UBIGINT as DECIMAL(20, 0), UINTEGER as BIGINT, USMALLINT as INT, UTINYINT as
 * SMALLINT, TIMESTAMP_S/_MS/_NS as TIMESTAMP(0)/(3)/(9), fixed-size arrays as ARRAY, and UUID,
 * JSON, ENUM, INTERVAL, BIT, VARINT and TIME WITH TIME ZONE as STRING (DuckDB's text form, which
 * DuckDB casts back when such a column is written). UNION and user-defined types have no mapping.
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
                return DataTypes.ARRAY(toFlink(type.elementType(), column + "[]"));
            case MAP:
                return DataTypes.MAP(
                        toFlink(type.keyType(), column + ".key"),
                        toFlink(type.valueType(), column + ".value"));
            case STRUCT:
                {
                    List<DataTypes.Field> fields = new ArrayList<>();
                    for (DuckDBType.Field f : type.children()) {
                        fields.add(
                                DataTypes.FIELD(
                                        f.name(), toFlink(f.type(), column + "." + f.name())));
                    }
                    return DataTypes.ROW(fields);
                }
            case UNION:
            case OTHER:
            default:
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
    public static TableSchema toDuckDBSchema(ResolvedSchema schema, TableIdentifier table) {
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
        return new TableSchema(table, columns, key);
    }

    /**
     * Whether every value of Flink type {@code flink} can be written to a DuckDB column of type
     * {@code duck} (DuckDB still range-checks: e.g. a negative BIGINT into UBIGINT fails with the
     * column named).
     */
    public static boolean canWrite(LogicalType flink, DuckDBType duck) {
        if (duck.id() == DuckDBType.Id.OTHER) {
            // A type defined in the database: DuckDB casts the text form.
            return flink.is(LogicalTypeFamily.CHARACTER_STRING);
        }
        DataType natural;
        try {
            natural = toFlink(duck, "?");
        } catch (ValidationException e) {
            return false;
        }
        return fits(flink, natural.getLogicalType());
    }

    /** Whether a DuckDB column of type {@code duck} can be read as Flink type {@code flink}. */
    public static boolean canRead(DuckDBType duck, LogicalType flink) {
        DataType natural;
        try {
            natural = toFlink(duck, "?");
        } catch (ValidationException e) {
            return false;
        }
        return fits(natural.getLogicalType(), flink);
    }

    /**
     * Whether every value of {@code from} is a value of {@code to} (ignoring nullability, string
     * and binary lengths, and time precisions, which DuckDB stores at the column's precision).
     */
    static boolean fits(LogicalType from, LogicalType to) {
        if (from.is(LogicalTypeFamily.CHARACTER_STRING)) {
            return to.is(LogicalTypeFamily.CHARACTER_STRING);
        }
        if (from.is(LogicalTypeFamily.BINARY_STRING)) {
            return to.is(LogicalTypeFamily.BINARY_STRING);
        }
        LogicalTypeRoot f = from.getTypeRoot();
        LogicalTypeRoot t = to.getTypeRoot();
        if (from.is(LogicalTypeFamily.INTEGER_NUMERIC)) {
            if (to.is(LogicalTypeFamily.INTEGER_NUMERIC)) {
                return integerDigits(t) >= integerDigits(f);
            }
            if (t == LogicalTypeRoot.DECIMAL) {
                DecimalType d = (DecimalType) to;
                return d.getPrecision() - d.getScale() >= integerDigits(f);
            }
            return false;
        }
        switch (f) {
            case DECIMAL:
                {
                    DecimalType d = (DecimalType) from;
                    if (t == LogicalTypeRoot.DECIMAL) {
                        DecimalType e = (DecimalType) to;
                        return e.getScale() >= d.getScale()
                                && e.getPrecision() - e.getScale()
                                        >= d.getPrecision() - d.getScale();
                    }
                    if (to.is(LogicalTypeFamily.INTEGER_NUMERIC)) {
                        return d.getScale() == 0 && integerDigits(t) > d.getPrecision();
                    }
                    return false;
                }
            case FLOAT:
                return t == LogicalTypeRoot.FLOAT || t == LogicalTypeRoot.DOUBLE;
            case BOOLEAN:
            case DOUBLE:
            case DATE:
            case TIME_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return f == t;
            case ARRAY:
                return t == LogicalTypeRoot.ARRAY
                        && fits(
                                ((ArrayType) from).getElementType(),
                                ((ArrayType) to).getElementType());
            case MAP:
                return t == LogicalTypeRoot.MAP
                        && fits(((MapType) from).getKeyType(), ((MapType) to).getKeyType())
                        && fits(((MapType) from).getValueType(), ((MapType) to).getValueType());
            case ROW:
                {
                    if (t != LogicalTypeRoot.ROW) {
                        return false;
                    }
                    List<RowType.RowField> a = ((RowType) from).getFields();
                    List<RowType.RowField> b = ((RowType) to).getFields();
                    if (a.size() != b.size()) {
                        return false;
                    }
                    for (int i = 0; i < a.size(); i++) {
                        if (!a.get(i)
                                        .getName()
                                        .toLowerCase(Locale.ROOT)
                                        .equals(b.get(i).getName().toLowerCase(Locale.ROOT))
                                || !fits(a.get(i).getType(), b.get(i).getType())) {
                            return false;
                        }
                    }
                    return true;
                }
            default:
                return false;
        }
    }

    /** Decimal digits every value of an integer type fits in (BIGINT: 19). */
    private static int integerDigits(LogicalTypeRoot root) {
        switch (root) {
            case TINYINT:
                return 3;
            case SMALLINT:
                return 5;
            case INTEGER:
                return 10;
            case BIGINT:
                return 19;
            default:
                return 0;
        }
    }
}
