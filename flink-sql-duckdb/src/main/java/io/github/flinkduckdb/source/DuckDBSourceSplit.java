package io.github.flinkduckdb.source;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A part of a table to scan: the rows whose range column (an integer primary key, or DuckDB's
 * {@code rowid}) lies in {@code [lower, upper]}, or the whole table when there is no range. {@code
 * offset} counts the rows of this split already emitted; after a restore they are skipped (the
 * split's rows are re-read in the table's order).
 */
@Internal
public final class DuckDBSourceSplit implements SourceSplit, Serializable {

    private static final long serialVersionUID = 1L;

    private final String id;
    private final String rangeColumn;
    private final long lower;
    private final long upper;
    private final long offset;

    public DuckDBSourceSplit(String id, String rangeColumn, long lower, long upper, long offset) {
        this.id = Objects.requireNonNull(id);
        this.rangeColumn = rangeColumn;
        this.lower = lower;
        this.upper = upper;
        this.offset = offset;
    }

    /** The whole table in one split. */
    public static DuckDBSourceSplit whole(String id) {
        return new DuckDBSourceSplit(id, null, 0, 0, 0);
    }

    @Override
    public String splitId() {
        return id;
    }

    /** The quoted range column ({@code "id"} or {@code rowid}), or null for the whole table. */
    public String rangeColumn() {
        return rangeColumn;
    }

    public long lower() {
        return lower;
    }

    public long upper() {
        return upper;
    }

    public long offset() {
        return offset;
    }

    public DuckDBSourceSplit withOffset(long rowsEmitted) {
        return new DuckDBSourceSplit(id, rangeColumn, lower, upper, rowsEmitted);
    }

    /** The range condition, or null for the whole table. */
    public DuckDBPredicate predicate() {
        if (rangeColumn == null) {
            return null;
        }
        return new DuckDBPredicate(
                rangeColumn + " BETWEEN ? AND ?", Arrays.<Serializable>asList(lower, upper));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DuckDBSourceSplit)) {
            return false;
        }
        DuckDBSourceSplit s = (DuckDBSourceSplit) o;
        return id.equals(s.id)
                && Objects.equals(rangeColumn, s.rangeColumn)
                && lower == s.lower
                && upper == s.upper
                && offset == s.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, rangeColumn, lower, upper, offset);
    }

    @Override
    public String toString() {
        return "DuckDBSourceSplit{"
                + id
                + (rangeColumn == null
                        ? ", whole table"
                        : ", " + rangeColumn + " in [" + lower + ", " + upper + "]")
                + (offset > 0 ? ", offset=" + offset : "")
                + '}';
    }
}
