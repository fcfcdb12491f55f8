package io.github.flinkduckdb.table;

import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

import java.util.List;
import java.util.Locale;

/**
 * Which declared Flink types fit an existing DuckDB column, for writing and for reading: the rules
 * the schema validator applies, on top of {@link DuckDBTypeMapping}'s one type table.
 */
@Internal
final class DuckDBTypeCompatibility {

    private DuckDBTypeCompatibility() {}

    /**
     * Whether every value of Flink type {@code flink} can be written to a DuckDB column of type
     * {@code duck} (DuckDB still range-checks: e.g. a negative BIGINT into UBIGINT fails with the
     * column named).
     */
    static boolean canWrite(LogicalType flink, DuckDBType duck) {
        if (duck.id() == DuckDBType.Id.OTHER) {
            // A type defined in the database: DuckDB casts the text form.
            return flink.is(LogicalTypeFamily.CHARACTER_STRING);
        }
        DataType natural;
        try {
            natural = DuckDBTypeMapping.toFlink(duck, "?");
        } catch (ValidationException e) {
            return false;
        }
        return fits(flink, natural.getLogicalType());
    }

    /** Whether a DuckDB column of type {@code duck} can be read as Flink type {@code flink}. */
    static boolean canRead(DuckDBType duck, LogicalType flink) {
        DataType natural;
        try {
            natural = DuckDBTypeMapping.toFlink(duck, "?");
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
