package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.AppendOps;
import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.conversion.ConversionFailure;
import io.github.flinkduckdb.conversion.ValueConverter;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.sink.DuckDBRowAppender;
import io.github.flinkduckdb.sink.DuckDBSinkException;

import org.duckdb.DuckDBAppender;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The typed fast path of {@link StagingRowCollector}: values go straight to DuckDB's appender. A
 * primitive (or string, timestamp) whose column the appender takes natively is appended as it is;
 * every other value is converted like a value given by name.
 *
 * <p>Each typed method calls the driver's own overload for its Java type, so no value is boxed and
 * no call is dispatched per value; {@link #nativeType()} and {@link #consume()} hold the checks
 * they share.
 */
final class TypedRowAppender implements DuckDBRowAppender {

    private final StagingRowCollector rows;
    private boolean open;
    private boolean skip;
    private int column;
    private long bytes;
    private DuckDBAppender a;
    private ColumnPlan[] plans;
    private DuckDBType.Id[] nativeIds;

    TypedRowAppender(StagingRowCollector rows) {
        this.rows = rows;
    }

    boolean isOpen() {
        return open;
    }

    void begin(boolean skipRow) {
        open = true;
        skip = skipRow;
        column = 0;
        bytes = 0;
        StagingTable staging = rows.staging;
        plans = staging.planArray();
        nativeIds = staging.nativeIds();
        if (!skip) {
            try {
                a = staging.appender();
                a.beginRow();
            } catch (SQLException e) {
                throw fail(e);
            }
        }
    }

    /** The type of the next column when the appender takes its values natively, else null. */
    private DuckDBType.Id nativeType() {
        if (!open) {
            throw new DuckDBSinkException(
                    "Value appended for table " + rows.table + " outside beginRow()/endRow()");
        }
        return column < nativeIds.length ? nativeIds[column] : null;
    }

    /** Moves past the column whose value is appended natively; false when the row is skipped. */
    private boolean consume() {
        column++;
        return !skip;
    }

    private ColumnPlan next() {
        if (!open) {
            throw new DuckDBSinkException(
                    "Value appended for table " + rows.table + " outside beginRow()/endRow()");
        }
        if (column >= plans.length) {
            throw new DuckDBSinkException(
                    "Too many values for a row of table "
                            + rows.table
                            + ": it has "
                            + plans.length
                            + " columns "
                            + rows.columnNames());
        }
        return plans[column++];
    }

    private DuckDBSinkException fail(SQLException e) {
        String col = column > 0 && column <= plans.length ? plans[column - 1].name() : "?";
        return new DuckDBSinkException(
                "DuckDB's appender rejected the value for column '"
                        + col
                        + "' of table "
                        + rows.table
                        + " in "
                        + rows.describeBatch()
                        + ": "
                        + e.getMessage(),
                e);
    }

    /** Converts a value like one given by name and appends it. */
    private DuckDBRowAppender object(Object value) {
        ColumnPlan p = next();
        if (skip) {
            return this;
        }
        try {
            if (value == null) {
                a.appendNull();
            } else {
                Object converted;
                try {
                    converted = ValueConverter.convert(value, p.type());
                } catch (ConversionFailure f) {
                    throw rows.conversionError(p, f);
                }
                bytes += AppendOps.append(a, p, converted);
            }
        } catch (SQLException e) {
            throw fail(e);
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(boolean value) {
        if (nativeType() != DuckDBType.Id.BOOLEAN) {
            return object(value);
        }
        if (consume()) {
            try {
                a.append(value);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += 1;
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(int value) {
        DuckDBType.Id type = nativeType();
        if (type == DuckDBType.Id.BIGINT) {
            return append((long) value);
        }
        if (type != DuckDBType.Id.INTEGER) {
            return object(value);
        }
        if (consume()) {
            try {
                a.append(value);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += 4;
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(long value) {
        if (nativeType() != DuckDBType.Id.BIGINT) {
            return object(value);
        }
        if (consume()) {
            try {
                a.append(value);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += 8;
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(float value) {
        if (nativeType() != DuckDBType.Id.FLOAT) {
            return object(value);
        }
        if (consume()) {
            try {
                a.append(value);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += 4;
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(double value) {
        if (nativeType() != DuckDBType.Id.DOUBLE) {
            return object(value);
        }
        if (consume()) {
            try {
                a.append(value);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += 8;
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(String value) {
        if (value == null || nativeType() != DuckDBType.Id.VARCHAR) {
            return object(value);
        }
        if (consume()) {
            try {
                a.append(value);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += value.length();
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(LocalDateTime value) {
        if (value == null || nativeType() != DuckDBType.Id.TIMESTAMP) {
            return object(value);
        }
        if (consume()) {
            try {
                a.append(value);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += 8;
        }
        return this;
    }

    @Override
    public DuckDBRowAppender appendEpochMicros(long micros) {
        DuckDBType.Id type = nativeType();
        if (type != DuckDBType.Id.TIMESTAMP && type != DuckDBType.Id.TIMESTAMP_TZ) {
            return object(
                    Instant.ofEpochSecond(
                            Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1000L));
        }
        if (consume()) {
            try {
                a.appendEpochMicros(micros);
            } catch (SQLException e) {
                throw fail(e);
            }
            bytes += 8;
        }
        return this;
    }

    @Override
    public DuckDBRowAppender append(BigDecimal value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender append(LocalDate value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender append(LocalTime value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender append(Instant value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender append(OffsetDateTime value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender append(UUID value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender append(byte[] value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender appendObject(Object value) {
        return object(value);
    }

    @Override
    public DuckDBRowAppender appendNull() {
        ColumnPlan p = next();
        if (!skip && NotNullCheck.violated(p, rows.deleting, false)) {
            throw NotNullCheck.violation(p, rows.table, "got null in " + rows.describeBatch());
        }
        if (!skip) {
            try {
                a.appendNull();
            } catch (SQLException e) {
                throw fail(e);
            }
        }
        return this;
    }

    @Override
    public DuckDBRowAppender appendDefault() {
        int idx = column;
        next();
        if (!skip) {
            try {
                if (rows.staging.hasStagedDefault(idx)) {
                    a.appendDefault();
                } else {
                    a.appendNull();
                }
            } catch (SQLException e) {
                throw fail(e);
            }
        }
        return this;
    }

    @Override
    public void endRow() {
        if (!open) {
            throw new DuckDBSinkException("endRow() without beginRow() for table " + rows.table);
        }
        open = false;
        if (column != plans.length) {
            throw new DuckDBSinkException(
                    "A row for table "
                            + rows.table
                            + " got "
                            + column
                            + " values but the table has "
                            + plans.length
                            + " columns "
                            + rows.columnNames());
        }
        if (skip) {
            return;
        }
        try {
            rows.appendSystemColumns(a);
            a.endRow();
        } catch (SQLException e) {
            throw fail(e);
        }
        rows.staging.rowAppended(bytes);
    }
}
