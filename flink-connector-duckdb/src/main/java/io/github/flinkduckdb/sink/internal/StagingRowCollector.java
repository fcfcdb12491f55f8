package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.AppendOps;
import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.conversion.ConversionFailure;
import io.github.flinkduckdb.conversion.ValueConverter;
import io.github.flinkduckdb.schema.ColumnSchema;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The {@link RowCollector} the sink hands to converters: checks and converts each row against the
 * table's columns, then appends it to the active {@link StagingTable}, followed by the system
 * columns (batch id; upsert operation and sequence).
 *
 * <p>A row given as a map, {@link Row} or values is converted completely before its first value is
 * appended, so a bad value never leaves a half-written row behind; the typed {@link
 * DuckDBRowAppender} ({@link TypedRowAppender}) writes values as they come.
 */
@Internal
public final class StagingRowCollector implements RowCollector {

    /** Adds a column to the target (and staging) for {@link UnknownColumnPolicy#EVOLVE}. */
    public interface SchemaEvolution {
        void addColumn(String name, DuckDBType type) throws Exception;
    }

    final TableIdentifier table;
    StagingTable staging;
    private final boolean batchIdColumn;
    private final boolean upsert;
    private final StagedBatches batches;
    private final ColumnResolver columns;
    private final TypedRowAppender typed = new TypedRowAppender(this);

    private Object[] slots;
    private boolean[] present;
    private boolean skippingBatch;

    /** Upsert mode: whether the row being written deletes its key. */
    boolean deleting;

    /** Upsert mode: the order of changes in the buffer (the last change of a key wins). */
    private long changeSequence;

    /**
     * @param batchIdColumn whether the staging table has the {@link TargetTable#BATCH_COLUMN}
     *     (batch de-duplication)
     * @param upsert whether rows are changes by key: the staging table then has the {@link
     *     TargetTable#OP_COLUMN} and {@link TargetTable#SEQUENCE_COLUMN} system columns after the
     *     batch-id column
     */
    public StagingRowCollector(
            TableIdentifier table,
            StagingTable staging,
            UnknownColumnPolicy policy,
            SchemaEvolution evolution,
            boolean batchIdColumn,
            boolean upsert) {
        this.table = table;
        this.staging = staging;
        this.batchIdColumn = batchIdColumn;
        this.upsert = upsert;
        this.batches = new StagedBatches(table, batchIdColumn);
        this.columns = new ColumnResolver(table, policy, evolution, batches);
        this.slots = new Object[staging.plans().size()];
        this.present = new boolean[staging.plans().size()];
    }

    /** The staging table's columns after the data columns, in the order rows append them. */
    public static List<ColumnSchema> systemColumns(boolean batchIdColumn, boolean upsert) {
        List<ColumnSchema> system = new ArrayList<>();
        if (batchIdColumn) {
            system.add(
                    ColumnSchema.of(
                            TargetTable.BATCH_COLUMN, DuckDBType.of(DuckDBType.Id.VARCHAR)));
        }
        if (upsert) {
            system.add(
                    ColumnSchema.of(TargetTable.OP_COLUMN, DuckDBType.of(DuckDBType.Id.BOOLEAN)));
            system.add(
                    ColumnSchema.of(
                            TargetTable.SEQUENCE_COLUMN, DuckDBType.of(DuckDBType.Id.BIGINT)));
        }
        return system;
    }

    /** Called by the writer before each record. */
    public void startRecord() {
        batches.startRecord(staging.rows());
    }

    /** Called by the writer after each record. */
    public void endRecord() {
        batches.endRecord();
        if (typed.isOpen()) {
            throw new DuckDBSinkException(
                    "A row for table " + table + " was begun but not ended (call endRow())");
        }
    }

    /** Batches skipped as duplicates of a batch in the buffer, so far. */
    public long skippedBatches() {
        return batches.skipped();
    }

    /**
     * Continues in another (empty) staging table with the same columns, e.g. while the previous one
     * is being drained. Returns how the rows of the previous buffer map to batch ids.
     */
    public LongFunction<String> switchTo(StagingTable next) {
        this.staging = next;
        return batches.switchBuffer();
    }

    @Override
    public void beginBatch(String batchId) {
        skippingBatch = batches.begin(batchId, staging.rows());
    }

    @Override
    public void endBatch() {
        batches.end(staging.rows());
        skippingBatch = false;
    }

    @Override
    public void addMap(Map<String, ?> row) {
        if (skippingBatch) {
            return;
        }
        deleting = false;
        if (row == null) {
            throw new DuckDBSinkException(
                    "A null row was given for table " + table + " in " + describeBatch());
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
                    "A null row was given for table " + table + " in " + describeBatch());
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
        if (typed.isOpen()) {
            throw new DuckDBSinkException(
                    "beginRow() for table " + table + " while the previous row is not ended");
        }
        boolean take = acceptKind(kind);
        typed.begin(skippingBatch || !take);
        return typed;
    }

    /** Sets up the row kind of the next row; false when the row is to be dropped. */
    private boolean acceptKind(RowKind kind) {
        StagedRowKind staged = StagedRowKind.of(kind, upsert, table);
        deleting = staged == StagedRowKind.DELETE;
        return staged != StagedRowKind.DROP;
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
                    "A row for table "
                            + table
                            + " in "
                            + describeBatch()
                            + " has a null column name");
        }
        int idx = columns.resolve(name, value, staging);
        if (idx < 0) {
            return;
        }
        if (idx >= slots.length) {
            // EVOLVE added a column: keep the values of this row given so far.
            slots = Arrays.copyOf(slots, (idx + 1) * 2);
            present = Arrays.copyOf(present, (idx + 1) * 2);
        }
        if (present[idx]) {
            throw new DuckDBSinkException(
                    "Column '"
                            + staging.plans().get(idx).name()
                            + "' of table "
                            + table
                            + " is given twice in one row ("
                            + describeBatch()
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

    private void appendSlots() {
        List<ColumnPlan> plans = staging.plans();
        int n = plans.size();
        for (int i = 0; i < n; i++) {
            if (slots[i] == null) {
                ColumnPlan p = plans.get(i);
                boolean missing = !present[i];
                if (NotNullCheck.violated(p, deleting, missing)) {
                    throw NotNullCheck.violation(
                            p,
                            table,
                            "the row in "
                                    + describeBatch()
                                    + (missing ? " has no value for it" : " has null"));
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
                            + describeBatch()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        staging.rowAppended(bytes);
    }

    /** Appends the row's system columns, in the order of {@link #systemColumns}. */
    void appendSystemColumns(DuckDBAppender a) throws SQLException {
        if (batchIdColumn) {
            String batch = batches.current();
            if (batch == null) {
                a.appendNull();
            } else {
                a.append(batch);
            }
        }
        if (upsert) {
            a.append(deleting);
            a.append(changeSequence++);
        }
    }

    ValueConversionException conversionError(ColumnPlan plan, ConversionFailure f) {
        String column = f.columnPath(plan.name());
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
                        + describeBatch()
                        + ": "
                        + f.reason();
        return new ValueConversionException(message, column, f.type().toSql(), f.javaType());
    }

    /** The open batch, for messages. */
    String describeBatch() {
        return batches.describeCurrent();
    }

    List<String> columnNames() {
        return ColumnPlan.names(staging.plans());
    }
}
