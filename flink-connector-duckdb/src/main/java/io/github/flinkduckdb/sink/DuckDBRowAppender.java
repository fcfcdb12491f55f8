package io.github.flinkduckdb.sink;

import org.apache.flink.annotation.PublicEvolving;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Writes one row value by value, in table column order, straight into DuckDB's appender: the fast
 * path for typed records (see {@link RowWriter}). Primitive values are widened to the column's type
 * where that is exact (an {@code int} into a BIGINT column); anything else is a {@link
 * ValueConversionException} naming table and column. Every column must get a value (use {@link
 * #appendNull()} or {@link #appendDefault()}) before {@link #endRow()}.
 */
@PublicEvolving
public interface DuckDBRowAppender {

    DuckDBRowAppender append(boolean value);

    DuckDBRowAppender append(int value);

    DuckDBRowAppender append(long value);

    DuckDBRowAppender append(float value);

    DuckDBRowAppender append(double value);

    /** A string; null appends NULL. */
    DuckDBRowAppender append(String value);

    DuckDBRowAppender append(BigDecimal value);

    DuckDBRowAppender append(LocalDate value);

    DuckDBRowAppender append(LocalTime value);

    DuckDBRowAppender append(LocalDateTime value);

    /** An instant: TIMESTAMPTZ as is, TIMESTAMP as UTC. */
    DuckDBRowAppender append(Instant value);

    DuckDBRowAppender append(OffsetDateTime value);

    DuckDBRowAppender append(UUID value);

    DuckDBRowAppender append(byte[] value);

    /** Microseconds since the epoch, for TIMESTAMP and TIMESTAMPTZ columns, without objects. */
    DuckDBRowAppender appendEpochMicros(long micros);

    /** Any value, converted like a map value (nested lists, maps and structs included). */
    DuckDBRowAppender appendObject(Object value);

    DuckDBRowAppender appendNull();

    /** The column's default value (NULL when it has none). */
    DuckDBRowAppender appendDefault();

    /** Ends the row; fails if not every column got a value. */
    void endRow();
}
