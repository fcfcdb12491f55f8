package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.AppendOps;
import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.conversion.ConversionFailure;
import io.github.flinkduckdb.conversion.TypeInference;
import io.github.flinkduckdb.conversion.ValueConverter;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBRowAppender;
import io.github.flinkduckdb.sink.DuckDBSinkException;
import io.github.flinkduckdb.sink.RowCollector;
import io.github.flinkduckdb.sink.UnknownColumnPolicy;
import io.github.flinkduckdb.sink.ValueConversionException;

import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import org.duckdb.DuckDBAppender;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@link RowCollector} the sink hands to converters: validates and converts each row against
 * the table schema, then appends it to the {@link StagingTable}. Batch bookkeeping (the batch id
 * column, skipping a batch already in the buffer) lives here too.
 *
 * <p>A row is converted completely before its first value is appended, so a bad value never leaves
 * a half-written row behind.
 */
@Internal
public final class StagedRowWriter implements RowCollector {

    /** Adds a column to the target (and staging) for {@link UnknownColumnPolicy#EVOLVE}. */
    public interface SchemaEvolution {
        void addColumn(String name, DuckDBType type) throws Exception;
    }

    private static final int NAME_CACHE_LIMIT = 10_000;

    private final TableIdentifier table;
    private StagingTable staging;
    private final UnknownColumnPolicy policy;
    private final SchemaEvolution evolution;
    private final boolean batchIdColumn;
    private final boolean upsert;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final Set<String> batchIdsInBuffer = new HashSet<>();
    private final TypedRowAppender typed = new TypedRowAppender();
    private final List<Long> batchStarts = new ArrayList<>();
    private final List<String> batchStartIds = new ArrayList<>();

    private Object[] slots;
    private boolean[] present;
    private String currentBatch;
    private boolean inBatch;
    private boolean skippingBatch;
    private long skippedBatches;
    private long rowsOfRecord;

    /** Upsert mode: whether the row being written deletes its key. */
    private boolean deleting;

    /** Upsert mode: the order of changes in the buffer (the last change of a key wins). */
    private long changeSequence;

    public StagedRowWriter(
            TableIdentifier table,
            StagingTable staging,
            UnknownColumnPolicy policy,
            SchemaEvolution evolution,
            boolean batchIdColumn) {
        this(table, staging, policy, evolution, batchIdColumn, false);
    }

    /**
     * @param upsert whether rows are changes by key: the staging table then has the {@link
     *     TargetTable#OP_COLUMN} and {@link TargetTable#SEQUENCE_COLUMN} system columns after the
     *     batch-id column
     */
    public StagedRowWriter(
            TableIdentifier table,
            StagingTable staging,
            UnknownColumnPolicy policy,
            SchemaEvolution evolution,
            boolean batchIdColumn,
            boolean upsert) {
        this.table = table;
        this.upsert = upsert;
        this.staging = staging;
        this.policy = policy;
        this.evolution = evolution;
        this.batchIdColumn = batchIdColumn;
        this.slots = new Object[staging.plans().size()];
        this.present = new boolean[staging.plans().size()];
    }

    /** Called by the writer before each record. */
    public void startRecord() {
        rowsOfRecord = 0;
        if (inBatch) {
            throw new DuckDBSinkException(
                    "Batch '" + currentBatch + "' for table " + table + " was begun but not ended");
        }
        currentBatch = null;
        markBatchStart(null);
    }

    private void markBatchStart(String batchId) {
        int last = batchStartIds.size() - 1;
        if (last >= 0 && java.util.Objects.equals(batchStartIds.get(last), batchId)) {
            return;
        }
        batchStarts.add(staging.rows());
        batchStartIds.add(batchId);
    }

    /** The batch id of staged row {@code row} (0-based in the current buffer), or null. */
    public String batchOfRow(long row) {
        String id = null;
        for (int i = 0; i < batchStarts.size() && batchStarts.get(i) <= row; i++) {
            id = batchStartIds.get(i);
        }
        return id;
    }

    /** Called by the writer after each record. */
    public void endRecord() {
        if (inBatch) {
            throw new DuckDBSinkException(
                    "Batch '"
                            + currentBatch
                            + "' for table "
                            + table
                            + " was begun but not ended by the record converter");
        }
        if (typed.open) {
            throw new DuckDBSinkException(
                    "A row for table " + table + " was begun but not ended (call endRow())");
        }
    }

    public long rowsOfRecord() {
        return rowsOfRecord;
    }

    public long skippedBatches() {
        return skippedBatches;
    }

    /** Called after the buffer was committed or sealed. */
    public void bufferCleared() {
        batchIdsInBuffer.clear();
        batchStarts.clear();
        batchStartIds.clear();
    }

    /**
     * Continues in another (empty) staging table with the same columns, e.g. while the previous one
     * is being flushed. Returns how the rows of the previous buffer map to batch ids.
     */
    public java.util.function.LongFunction<String> switchTo(StagingTable next) {
        List<Long> starts = new ArrayList<>(batchStarts);
        List<String> ids = new ArrayList<>(batchStartIds);
        this.staging = next;
        bufferCleared();
        return row -> {
            String id = null;
            for (int i = 0; i < starts.size() && starts.get(i) <= row; i++) {
                id = ids.get(i);
            }
            return id;
        };
    }

    /** The batch ids staged since the last {@link #bufferCleared()}. */
    public Set<String> batchIdsInBuffer() {
        return batchIdsInBuffer;
    }

    @Override
    public void beginBatch(String batchId) {
        if (inBatch) {
            throw new DuckDBSinkException(
                    "Batch '" + currentBatch + "' for table " + table + " is still open");
        }
        if (batchId == null) {
            throw new DuckDBSinkException(
                    "A batch for table " + table + " has a null batch id; every batch needs an id");
        }
        inBatch = true;
        currentBatch = batchId;
        skippingBatch = batchIdColumn && !batchIdsInBuffer.add(batchId);
        if (skippingBatch) {
            skippedBatches++;
        } else {
            markBatchStart(batchId);
        }
    }

    @Override
    public void endBatch() {
        if (!inBatch) {
            throw new DuckDBSinkException("endBatch() without beginBatch() for table " + table);
        }
        inBatch = false;
        skippingBatch = false;
        currentBatch = null;
        markBatchStart(null);
    }

    @Override
    public void addMap(Map<String, ?> row) {
        if (skippingBatch) {
            return;
        }
        deleting = false;
        if (row == null) {
            throw new DuckDBSinkException(
                    "A null row was given for table " + table + " in " + batchText());
        }
        clearSlots();
        for (Map.Entry<String, ?> e : row.entrySet()) {
            put(e.getKey(), e.getValue());
        }
        appendSlots();
    }

    @Override
    public void addRow(Row row) {
        if (skippingBatch) {
            return;
        }
        if (row == null) {
            throw new DuckDBSinkException(
                    "A null row was given for table " + table + " in " + batchText());
        }
        if (!acceptKind(row.getKind())) {
            return;
        }
        Set<String> names = row.getFieldNames(true);
        clearSlots();
        if (names != null) {
            for (String name : names) {
                put(name, row.getField(name));
            }
        } else {
            int columns = staging.plans().size();
            if (row.getArity() != columns) {
                throw new DuckDBSinkException(
                        "A Row with "
                                + row.getArity()
                                + " fields cannot be written to table "
                                + table
                                + " with "
                                + columns
                                + " columns "
                                + columnNames()
                                + " by position; give the Row field names or match the column count");
            }
            for (int i = 0; i < columns; i++) {
                putAt(i, row.getField(i));
            }
        }
        appendSlots();
    }

    @Override
    public void addValues(Object... values) {
        if (skippingBatch) {
            return;
        }
        deleting = false;
        int columns = staging.plans().size();
        if (values == null || values.length != columns) {
            throw new DuckDBSinkException(
                    (values == null ? 0 : values.length)
                            + " values cannot be written to table "
                            + table
                            + " with "
                            + columns
                            + " columns "
                            + columnNames());
        }
        clearSlots();
        for (int i = 0; i < columns; i++) {
            putAt(i, values[i]);
        }
        appendSlots();
    }

    @Override
    public DuckDBRowAppender beginRow() {
        return beginRow(RowKind.INSERT);
    }

    @Override
    public DuckDBRowAppender beginRow(RowKind kind) {
        if (typed.open) {
            throw new DuckDBSinkException(
                    "beginRow() for table " + table + " while the previous row is not ended");
        }
        boolean take = acceptKind(kind);
        typed.begin(skippingBatch || !take);
        return typed;
    }

    /**
     * Sets up the row kind of the next row; false when the row is to be dropped ({@code
     * UPDATE_BEFORE} in upsert mode).
     */
    private boolean acceptKind(RowKind kind) {
        switch (kind) {
            case INSERT:
            case UPDATE_AFTER:
                deleting = false;
                return true;
            case DELETE:
                if (upsert) {
                    deleting = true;
                    return true;
                }
                break;
            case UPDATE_BEFORE:
                if (upsert) {
                    deleting = false;
                    return false;
                }
                break;
            default:
                break;
        }
        throw new DuckDBSinkException(
                "Row of kind "
                        + kind
                        + " for table "
                        + table
                        + ": this sink appends rows; updates and deletes need an upsert key (DuckDBSinkBuilder.setUpsertKey, or a PRIMARY KEY in the SQL connector)");
    }

    private void clearSlots() {
        int n = staging.plans().size();
        if (slots.length < n) {
            slots = new Object[n];
            present = new boolean[n];
        } else {
            Arrays.fill(slots, 0, n, null);
            Arrays.fill(present, 0, n, false);
        }
    }

    private void put(String name, Object value) {
        if (name == null) {
            throw new DuckDBSinkException(
                    "A row for table " + table + " in " + batchText() + " has a null column name");
        }
        int idx = indexOf(name);
        if (idx < 0) {
            switch (policy) {
                case IGNORE:
                    return;
                case EVOLVE:
                    idx = evolve(name, value);
                    if (idx < 0) {
                        return;
                    }
                    break;
                case FAIL:
                default:
                    throw new DuckDBSinkException(
                            "Unknown column '"
                                    + name
                                    + "' for table "
                                    + table
                                    + " in "
                                    + batchText()
                                    + "; the table has columns "
                                    + columnNames()
                                    + " (set UnknownColumnPolicy IGNORE to drop it or EVOLVE to add it)");
            }
        }
        if (present[idx]) {
            throw new DuckDBSinkException(
                    "Column '"
                            + staging.plans().get(idx).name()
                            + "' of table "
                            + table
                            + " is given twice in one row ("
                            + batchText()
                            + "); DuckDB names are case-insensitive");
        }
        putAt(idx, value);
    }

    private void putAt(int idx, Object value) {
        ColumnPlan plan = staging.plans().get(idx);
        try {
            slots[idx] = ValueConverter.convert(value, plan.type());
        } catch (ConversionFailure f) {
            throw conversionError(plan, f);
        }
        present[idx] = true;
    }

    private int indexOf(String name) {
        Integer cached = indexByName.get(name);
        if (cached != null) {
            return cached;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        List<ColumnPlan> plans = staging.plans();
        for (int i = 0; i < plans.size(); i++) {
            if (plans.get(i).name().toLowerCase(Locale.ROOT).equals(lower)) {
                if (indexByName.size() < NAME_CACHE_LIMIT) {
                    indexByName.put(name, i);
                }
                return i;
            }
        }
        return -1;
    }

    private int evolve(String name, Object value) {
        DuckDBType type = TypeInference.infer(value);
        if (type == null) {
            if (value == null) {
                return -1;
            }
            throw new DuckDBSinkException(
                    "Cannot infer a DuckDB type for new column '"
                            + name
                            + "' of table "
                            + table
                            + " from Java type "
                            + value.getClass().getName()
                            + "; add the column to the table yourself");
        }
        try {
            // Rows of this record already appended keep their place; the staging table is rebuilt
            // with the new column.
            evolution.addColumn(name, type);
        } catch (DuckDBSinkException e) {
            throw e;
        } catch (Exception e) {
            throw new DuckDBSinkException(
                    "Could not add column '"
                            + name
                            + "' ("
                            + type.toSql()
                            + ") to table "
                            + table
                            + ": "
                            + e.getMessage(),
                    e);
        }
        indexByName.clear();
        clearSlotsKeepingValues();
        return indexOf(name);
    }

    private void clearSlotsKeepingValues() {
        int n = staging.plans().size();
        if (slots.length < n) {
            slots = Arrays.copyOf(slots, n * 2);
            present = Arrays.copyOf(present, n * 2);
        }
    }

    private void appendSlots() {
        List<ColumnPlan> plans = staging.plans();
        int n = plans.size();
        for (int i = 0; i < n; i++) {
            if (slots[i] == null) {
                ColumnPlan p = plans.get(i);
                boolean missing = !present[i];
                if (!p.target().nullable()
                        && !deleting
                        && !(missing && p.target().defaultExpression().isPresent())) {
                    throw new ValueConversionException(
                            "Column '"
                                    + p.name()
                                    + "' of table "
                                    + table
                                    + " is NOT NULL but the row in "
                                    + batchText()
                                    + (missing ? " has no value for it" : " has null"),
                            p.name(),
                            p.type().toSql(),
                            "null");
                }
            }
        }
        long bytes = 0;
        try {
            DuckDBAppender a = staging.appender();
            a.beginRow();
            for (int i = 0; i < n; i++) {
                Object v = slots[i];
                if (v != null) {
                    bytes += AppendOps.append(a, plans.get(i), v);
                } else if (!present[i] && staging.hasStagedDefault(i)) {
                    a.appendDefault();
                } else {
                    a.appendNull();
                }
            }
            appendSystemColumns(a);
            a.endRow();
        } catch (SQLException e) {
            throw new DuckDBSinkException(
                    "DuckDB's appender rejected a row for table "
                            + table
                            + " in "
                            + batchText()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        staging.rowAppended(bytes);
        rowsOfRecord++;
    }

    private void appendSystemColumns(DuckDBAppender a) throws SQLException {
        if (batchIdColumn) {
            if (currentBatch == null) {
                a.appendNull();
            } else {
                a.append(currentBatch);
            }
        }
        if (upsert) {
            a.append(deleting);
            a.append(changeSequence++);
        }
    }

    private ValueConversionException conversionError(ColumnPlan plan, ConversionFailure f) {
        String column =
                f.path().isEmpty()
                        ? plan.name()
                        : plan.name() + (f.path().startsWith("[") ? "" : ".") + f.path();
        String message =
                "Cannot write a value of Java type "
                        + f.javaType()
                        + " to column '"
                        + column
                        + "' ("
                        + f.type().toSql()
                        + (f.path().isEmpty() ? "" : " inside " + plan.type().toSql())
                        + ") of table "
                        + table
                        + " in "
                        + batchText()
                        + ": "
                        + f.reason();
        return new ValueConversionException(message, column, f.type().toSql(), f.javaType());
    }

    private String batchText() {
        return currentBatch == null ? "a record without batch id" : "batch '" + currentBatch + "'";
    }

    private List<String> columnNames() {
        List<String> names = new ArrayList<>();
        for (ColumnPlan p : staging.plans()) {
            names.add(p.name());
        }
        return names;
    }

    /** The typed fast path: values go straight to DuckDB's appender. */
    private final class TypedRowAppender implements DuckDBRowAppender {
        private boolean open;
        private boolean skip;
        private int column;
        private long bytes;
        private DuckDBAppender a;
        private List<ColumnPlan> plans;

        void begin(boolean skipRow) {
            open = true;
            skip = skipRow;
            column = 0;
            bytes = 0;
            plans = staging.plans();
            if (!skip) {
                try {
                    a = staging.appender();
                    a.beginRow();
                } catch (SQLException e) {
                    throw fail(e);
                }
            }
        }

        private ColumnPlan next() {
            if (!open) {
                throw new DuckDBSinkException(
                        "Value appended for table " + table + " outside beginRow()/endRow()");
            }
            if (column >= plans.size()) {
                throw new DuckDBSinkException(
                        "Too many values for a row of table "
                                + table
                                + ": it has "
                                + plans.size()
                                + " columns "
                                + columnNames());
            }
            return plans.get(column++);
        }

        private DuckDBSinkException fail(SQLException e) {
            String col = column > 0 && column <= plans.size() ? plans.get(column - 1).name() : "?";
            return new DuckDBSinkException(
                    "DuckDB's appender rejected the value for column '"
                            + col
                            + "' of table "
                            + table
                            + " in "
                            + batchText()
                            + ": "
                            + e.getMessage(),
                    e);
        }

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
                        throw conversionError(p, f);
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
            ColumnPlan p = peekNative(DuckDBType.Id.BOOLEAN);
            if (p == null) {
                return object(value);
            }
            column++;
            if (!skip) {
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
            ColumnPlan p = current();
            if (p != null && p.mode() == ColumnPlan.Mode.NATIVE) {
                switch (p.type().id()) {
                    case INTEGER:
                        column++;
                        if (!skip) {
                            try {
                                a.append(value);
                            } catch (SQLException e) {
                                throw fail(e);
                            }
                            bytes += 4;
                        }
                        return this;
                    case BIGINT:
                        return append((long) value);
                    default:
                        break;
                }
            }
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(long value) {
            ColumnPlan p = peekNative(DuckDBType.Id.BIGINT);
            if (p == null) {
                return object(value);
            }
            column++;
            if (!skip) {
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
            ColumnPlan p = peekNative(DuckDBType.Id.FLOAT);
            if (p == null) {
                return object(value);
            }
            column++;
            if (!skip) {
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
            ColumnPlan p = peekNative(DuckDBType.Id.DOUBLE);
            if (p == null) {
                return object(value);
            }
            column++;
            if (!skip) {
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
            ColumnPlan p = current();
            if (value != null
                    && p != null
                    && p.mode() == ColumnPlan.Mode.NATIVE
                    && p.type().id() == DuckDBType.Id.VARCHAR) {
                column++;
                if (!skip) {
                    try {
                        a.append(value);
                    } catch (SQLException e) {
                        throw fail(e);
                    }
                    bytes += value.length();
                }
                return this;
            }
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(java.math.BigDecimal value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(java.time.LocalDate value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(java.time.LocalTime value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(java.time.LocalDateTime value) {
            ColumnPlan p = current();
            if (value != null
                    && p != null
                    && p.mode() == ColumnPlan.Mode.NATIVE
                    && p.type().id() == DuckDBType.Id.TIMESTAMP) {
                column++;
                if (!skip) {
                    try {
                        a.append(value);
                    } catch (SQLException e) {
                        throw fail(e);
                    }
                    bytes += 8;
                }
                return this;
            }
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(java.time.Instant value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(java.time.OffsetDateTime value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(java.util.UUID value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender append(byte[] value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender appendEpochMicros(long micros) {
            ColumnPlan p = current();
            if (p != null
                    && p.mode() == ColumnPlan.Mode.NATIVE
                    && (p.type().id() == DuckDBType.Id.TIMESTAMP
                            || p.type().id() == DuckDBType.Id.TIMESTAMP_TZ)) {
                column++;
                if (!skip) {
                    try {
                        a.appendEpochMicros(micros);
                    } catch (SQLException e) {
                        throw fail(e);
                    }
                    bytes += 8;
                }
                return this;
            }
            return object(
                    java.time.Instant.ofEpochSecond(
                            Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1000L));
        }

        @Override
        public DuckDBRowAppender appendObject(Object value) {
            return object(value);
        }

        @Override
        public DuckDBRowAppender appendNull() {
            ColumnPlan p = next();
            if (!p.target().nullable() && !skip && !deleting) {
                throw new ValueConversionException(
                        "Column '"
                                + p.name()
                                + "' of table "
                                + table
                                + " is NOT NULL but got null in "
                                + batchText(),
                        p.name(),
                        p.type().toSql(),
                        "null");
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
                    if (staging.hasStagedDefault(idx)) {
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
                throw new DuckDBSinkException("endRow() without beginRow() for table " + table);
            }
            if (column != plans.size()) {
                open = false;
                throw new DuckDBSinkException(
                        "A row for table "
                                + table
                                + " got "
                                + column
                                + " values but the table has "
                                + plans.size()
                                + " columns "
                                + columnNames());
            }
            open = false;
            if (skip) {
                return;
            }
            try {
                appendSystemColumns(a);
                a.endRow();
            } catch (SQLException e) {
                throw fail(e);
            }
            staging.rowAppended(bytes);
            rowsOfRecord++;
        }

        private ColumnPlan current() {
            if (!open) {
                throw new DuckDBSinkException(
                        "Value appended for table " + table + " outside beginRow()/endRow()");
            }
            return column < plans.size() ? plans.get(column) : null;
        }

        private ColumnPlan peekNative(DuckDBType.Id id) {
            ColumnPlan p = current();
            return p != null && p.mode() == ColumnPlan.Mode.NATIVE && p.type().id() == id
                    ? p
                    : null;
        }
    }
}
