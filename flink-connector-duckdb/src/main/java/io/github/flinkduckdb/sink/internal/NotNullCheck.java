package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.ValueConversionException;

/**
 * The NOT NULL check of staged rows, for both ways a row is staged (by name or position, and the
 * typed appender): a NOT NULL column must get a value, except in a deletion (which only needs its
 * key) and when it is left out and has a default.
 */
final class NotNullCheck {

    private NotNullCheck() {}

    /**
     * Whether a null in column {@code p} breaks its NOT NULL constraint.
     *
     * @param deleting whether the row deletes its key
     * @param missing whether the row left the value out (a default then applies, if any)
     */
    static boolean violated(ColumnPlan p, boolean deleting, boolean missing) {
        return !p.target().nullable()
                && !deleting
                && !(missing && p.target().defaultExpression().isPresent());
    }

    /**
     * The failure for a {@link #violated} constraint.
     *
     * @param detail how the row got the null, e.g. "got null in batch 'b1'"
     */
    static ValueConversionException violation(ColumnPlan p, TableIdentifier table, String detail) {
        return new ValueConversionException(
                "Column '" + p.name() + "' of table " + table + " is NOT NULL but " + detail,
                p.name(),
                p.type().toSql(),
                "null");
    }
}
