package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.ShapedRowTypeInfo;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.Row;

import java.util.List;
import java.util.Objects;

/**
 * A model's row together with its columns: what a transform without a declared incoming schema
 * ({@link OtterTransform#isSchemaFree()}) emits, since each message is typed alone and a model's
 * columns depend on the message's shape. The row's fields follow {@link #columns()} (names and
 * DuckDB types, the Java values as for {@link OtterStreams#rows}); rows of the same shape share one
 * columns list.
 */
@PublicEvolving
public final class ShapedRow {

    private final List<ColumnSchema> columns;
    private final Row row;

    /**
     * @param columns the row's columns, not to be modified afterwards; rows of one shape should
     *     share one list (writers recognize a shape by the list's identity first)
     */
    public ShapedRow(List<ColumnSchema> columns, Row row) {
        this.columns = Objects.requireNonNull(columns, "columns");
        this.row = Objects.requireNonNull(row, "row");
        if (row.getArity() != columns.size()) {
            throw new IllegalArgumentException(
                    "A row of " + row.getArity() + " fields for " + columns.size() + " columns");
        }
    }

    /** The Flink type of a stream of shaped rows (each record carries its columns). */
    public static TypeInformation<ShapedRow> typeInfo() {
        return new ShapedRowTypeInfo();
    }

    /** The row's columns: names and DuckDB types, in order. */
    public List<ColumnSchema> columns() {
        return columns;
    }

    /** The values, in column order (with the column names as field names). */
    public Row row() {
        return row;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ShapedRow)) {
            return false;
        }
        ShapedRow that = (ShapedRow) o;
        return columns.equals(that.columns) && row.equals(that.row);
    }

    @Override
    public int hashCode() {
        return 31 * columns.hashCode() + row.hashCode();
    }

    @Override
    public String toString() {
        return row + " " + columns;
    }
}
