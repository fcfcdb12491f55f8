package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/**
 * How one target column is staged in a DuckDB table filled by the appender. Most types go through
 * DuckDB's appender natively; the few it cannot fill (INTERVAL, BIT, BIGNUM, TIME_NS, types defined
 * in the target database, nested types with such parts, fixed-size ARRAYs) are staged as text and
 * cast in SQL when the staged rows are sealed or flushed, still inside the writer, so a bad value
 * fails before any commit. Used by the sink's staging tables and by otter-cli's Parquet staging
 * buffer; {@link AppendOps} appends the values.
 */
@Internal
public final class ColumnPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How values reach the staging table. */
    public enum Mode {
        /** The appender writes the value with the target type. */
        NATIVE,
        /** A VARCHAR in staging, {@code CAST(... AS T)} on the way out. */
        TEXT,
        /** JSON text in staging, {@code CAST(CAST(... AS JSON) AS T)} on the way out. */
        JSON
    }

    private final ColumnSchema target;
    private final Mode mode;

    private ColumnPlan(ColumnSchema target, Mode mode) {
        this.target = target;
        this.mode = mode;
    }

    /**
     * Plans a column.
     *
     * @throws IllegalArgumentException for types the sink cannot write (UNION)
     */
    public static ColumnPlan of(ColumnSchema column) {
        DuckDBType t = column.type();
        if (containsUnion(t)) {
            throw new IllegalArgumentException(
                    "Column '"
                            + column.name()
                            + "' has type "
                            + t.toSql()
                            + ": UNION columns are not supported by the sink");
        }
        Mode mode;
        if (t.isNested()) {
            mode = t.id() != DuckDBType.Id.ARRAY && nestedSafe(t) ? Mode.NATIVE : Mode.JSON;
        } else {
            switch (t.id()) {
                case INTERVAL:
                case BIT:
                case BIGNUM:
                case TIME_NS:
                case JSON:
                case OTHER:
                    mode = Mode.TEXT;
                    break;
                default:
                    mode = Mode.NATIVE;
            }
        }
        return new ColumnPlan(column, mode);
    }

    /**
     * Plans a column whose values arrive as DuckDB's text form (nested values as the {@link
     * JsonText} of their parts) and are cast to the column's type on the way out: how values read
     * with {@link DuckDBTypeMapping#toFlinkOrText} as STRING (TIME WITH TIME ZONE, BIGNUM, UNION)
     * are written back.
     */
    public static ColumnPlan ofText(ColumnSchema column) {
        return new ColumnPlan(column, column.type().isNested() ? Mode.JSON : Mode.TEXT);
    }

    /**
     * Whether {@code t}, or a part of it, is a type whose values only {@link #ofText} can take in
     * the form {@link DuckDBValueReader} reads them: a type {@link ValueConverter} takes no string
     * for (TIME WITH TIME ZONE, BIGNUM, UNION).
     */
    public static boolean needsText(DuckDBType t) {
        switch (t.id()) {
            case TIME_TZ:
            case BIGNUM:
            case UNION:
                return true;
            default:
                for (DuckDBType.Field f : t.children()) {
                    if (needsText(f.type())) {
                        return true;
                    }
                }
                return false;
        }
    }

    private static boolean containsUnion(DuckDBType t) {
        if (t.id() == DuckDBType.Id.UNION) {
            return true;
        }
        for (DuckDBType.Field f : t.children()) {
            if (containsUnion(f.type())) {
                return true;
            }
        }
        return false;
    }

    /** Whether every part of a nested type is one the appender can fill inside a nested value. */
    private static boolean nestedSafe(DuckDBType t) {
        switch (t.id()) {
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case HUGEINT:
            case FLOAT:
            case DOUBLE:
            case DECIMAL:
            case VARCHAR:
            case ENUM:
            case BLOB:
            case UUID:
            case DATE:
            case TIME:
            case TIME_TZ:
            case TIMESTAMP_S:
            case TIMESTAMP_MS:
            case TIMESTAMP:
            case TIMESTAMP_NS:
            case TIMESTAMP_TZ:
                return true;
            case LIST:
            case MAP:
            case STRUCT:
                for (DuckDBType.Field f : t.children()) {
                    if (!nestedSafe(f.type())) {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    public ColumnSchema target() {
        return target;
    }

    public String name() {
        return target.name();
    }

    public DuckDBType type() {
        return target.type();
    }

    public Mode mode() {
        return mode;
    }

    /** The type of the staging column. */
    public String stagingTypeSql() {
        return mode == Mode.NATIVE ? target.type().toSql() : "VARCHAR";
    }

    /**
     * Whether the cast back can run in a scratch database: types defined only in the target
     * database ({@link DuckDBType.Id#OTHER}) must be cast there.
     */
    public boolean castableOutsideTarget() {
        return !containsOther(target.type());
    }

    private static boolean containsOther(DuckDBType t) {
        if (t.id() == DuckDBType.Id.OTHER) {
            return true;
        }
        for (DuckDBType.Field f : t.children()) {
            if (containsOther(f.type())) {
                return true;
            }
        }
        return false;
    }

    /** The expression turning staging column {@code ref} into the target type. */
    public String selectExpression(String ref) {
        switch (mode) {
            case TEXT:
                return "CAST(" + ref + " AS " + target.type().toSql() + ")";
            case JSON:
                return "CAST(CAST(" + ref + " AS JSON) AS " + target.type().toSql() + ")";
            default:
                return ref;
        }
    }

    /** {@code "name"} quoted. */
    public String quotedName() {
        return SqlIdentifiers.quote(target.name());
    }

    /** The column names of {@code plans}, for messages. */
    public static java.util.List<String> names(java.util.List<ColumnPlan> plans) {
        java.util.List<String> names = new java.util.ArrayList<>(plans.size());
        for (ColumnPlan p : plans) {
            names.add(p.name());
        }
        return names;
    }
}
