package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.DuckDBErrorClassifier;
import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.internal.Payloads;
import io.github.flinkduckdb.sink.internal.StagedColumns;
import io.github.flinkduckdb.sink.internal.StagingDrain;
import io.github.flinkduckdb.sink.internal.StagingTable;
import io.github.flinkduckdb.sink.internal.TargetTable;
import io.github.flinkduckdb.sink.internal.TargetTransaction;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.LongFunction;

/**
 * The writer of {@link WriteMode#DIRECT}: opens the target database itself and moves the staged
 * rows into the target table, at-least-once (or with no guarantee), without a committer. The move
 * runs in the background on a second connection, one transaction per buffer (with retries), while
 * the task thread appends to the other staging table; it is started when the buffer is full, when
 * the flush interval passed, and awaited at each checkpoint (unless the guarantee is {@code NONE})
 * and at end of input.
 */
@Internal
final class DirectDuckDBWriter<IN> extends DuckDBSinkWriter<IN> {

    private static final Logger LOG = LoggerFactory.getLogger(DirectDuckDBWriter.class);

    private final ProcessingTimeService timeService;
    private final TargetTransaction transaction;
    private Connection target;
    private TargetTable targetTable;
    private TargetTable.UpsertStrategy upsertStrategy;
    // The background flush writes on its own connection to the same database.
    private Connection flushConnection;
    private TargetTable flushTarget;
    private StagingDrain<Long> flushes;
    private boolean timerPending;

    DirectDuckDBWriter(
            DuckDBSinkConfig config,
            RecordConverter<IN> converter,
            ProcessingTimeService timeService,
            SinkWriterMetricGroup metrics,
            int subtask)
            throws Exception {
        super(config, converter, metrics, subtask);
        this.timeService = timeService;
        this.transaction = new TargetTransaction(commitGauges);
        try {
            open();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void open() throws Exception {
        DuckDBConnectionProvider options = config.connection;
        target = openTarget(options);
        limitThreads(target, options);
        DuckDBTableSchema schema =
                TargetTable.ensureTable(
                        target,
                        DuckDBTableSchemaReader.resolve(target, config.table),
                        config.createTableSql,
                        options.describe(),
                        config.retryPolicy);
        targetTable = new TargetTable(target, schema.identifier());
        upsertStrategy = TargetTable.upsertStrategy(schema.primaryKey(), config.upsertKey);
        if (config.batchDeduplication) {
            // Writers of one job create them at the same moment: a conflict is retried.
            TargetTable markers = targetTable;
            config.retryPolicy.run(
                    "Creating the marker tables next to " + schema.identifier(),
                    () -> {
                        markers.ensureMarkerTables(true);
                        return null;
                    });
        }
        StagingTable first = newStaging(plans(schema));
        flushConnection = target.unwrap(DuckDBConnection.class).duplicate();
        flushTarget = new TargetTable(flushConnection, schema.identifier());
        flushes =
                new StagingDrain<>(
                        "duckdb-flush-" + schema.identifier().table() + "-" + subtask,
                        schema.identifier(),
                        first,
                        this::newStaging,
                        this::flushFailed);
        startStaging(schema, flushes, WriteMode.DIRECT);
    }

    /** A staging table in an in-memory database attached to the target connection. */
    private StagingTable newStaging(List<ColumnPlan> plans) throws SQLException {
        String alias = "__flink_duckdb_stage_" + UUID.randomUUID().toString().replace("-", "");
        return StagingTable.attachedTo(target, alias, plans, systemColumns());
    }

    /**
     * Direct writes into a local file run DuckDB with one worker thread unless the user set {@code
     * threads}: the flush runs beside the task thread, and DuckDB's default (a thread per core)
     * made the two compete for the cores of the slot (measured: about 10% slower at parallelism 1
     * on two cores).
     */
    private static void limitThreads(Connection c, DuckDBConnectionProvider options)
            throws SQLException {
        if (!options.localFile().isPresent()) {
            return;
        }
        for (String name : options.settings().keySet()) {
            if (name.equalsIgnoreCase("threads")) {
                return;
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("SET threads = 1");
        }
    }

    private Connection openTarget(DuckDBConnectionProvider options) throws Exception {
        try {
            return config.retryPolicy.run("Opening " + options.describe(), options::open);
        } catch (SQLException e) {
            if (DuckDBErrorClassifier.isLockConflict(e)) {
                throw new DuckDBSinkException(
                        "Cannot open "
                                + options.describe()
                                + " for table "
                                + config.table
                                + ": another process holds it ("
                                + options.scrub(e).getMessage()
                                + "). A DuckDB file allows one writing process; with writers in several TaskManagers use WriteMode.COMMITTER or EXACTLY_ONCE, which write through one committer.",
                        options.scrub(e));
            }
            if (DuckDBErrorClassifier.isConfigurationConflict(e)) {
                throw new DuckDBSinkException(
                        "Cannot open "
                                + options.describe()
                                + " for writing table "
                                + config.table
                                + ": this process has the file open read-only ("
                                + options.scrub(e).getMessage()
                                + "). DuckDB keeps one database instance per file and process; a scan or lookup of the same file in this TaskManager must finish before the sink can write it. Write to another file, or read the table through the sink's own file after the write.",
                        options.scrub(e));
            }
            throw new DuckDBSinkException(
                    "Cannot open " + options.describe() + ": " + options.scrub(e).getMessage(),
                    options.scrub(e));
        }
    }

    @Override
    public void write(IN element, Context context) throws IOException, InterruptedException {
        boolean full;
        try {
            full = stage(element);
        } catch (DuckDBSinkException e) {
            throw stagingFailed(e);
        }
        if (full) {
            flushBuffer(false);
        } else if (config.flushIntervalMillis > 0 && !timerPending && !flushes.active().isEmpty()) {
            timerPending = true;
            timeService.registerTimer(
                    timeService.getCurrentProcessingTime() + config.flushIntervalMillis,
                    time -> onFlushTimer());
        }
    }

    /**
     * The staging database is attached to the target connection and shares its {@code
     * memory_limit}: an appender that cannot allocate says which table, file and limit.
     */
    private DuckDBSinkException stagingFailed(DuckDBSinkException e) {
        if (!(e.getCause() instanceof SQLException)) {
            return e;
        }
        SQLException cause = (SQLException) e.getCause();
        SQLException clean = config.connection.scrub(cause);
        if (clean == cause) {
            return e;
        }
        return new DuckDBSinkException(
                "Staging rows to table "
                        + schema.identifier()
                        + " in "
                        + config.connection.describe()
                        + " failed: "
                        + clean.getMessage(),
                e);
    }

    private void onFlushTimer() throws Exception {
        timerPending = false;
        if (flushes != null) {
            flushBuffer(false);
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (config.deliveryGuarantee != DeliveryGuarantee.NONE || endOfInput) {
            flushBuffer(true);
        }
    }

    /** Direct writes hand nothing to a committer. */
    @Override
    public Collection<DuckDBCommittable> prepareCommit() {
        return Collections.emptyList();
    }

    /**
     * Hands the staged rows to the background flush, which moves them into the target in one
     * transaction (with retries), and continues in the spare staging table. With {@code wait},
     * returns only when every staged row is committed (checkpoints, end of input).
     */
    private void flushBuffer(boolean wait) throws IOException, InterruptedException {
        awaitDrain();
        if (!flushes.active().isEmpty()) {
            flushes.start(this::prepareFlush, rows);
        }
        if (wait) {
            awaitDrain();
        }
    }

    /** On the task thread: what the flush moves; the move itself runs in the background. */
    private StagingDrain.Work<Long> prepareFlush(StagingTable table) throws SQLException {
        long staged = table.rows();
        StagedColumns columns = StagedColumns.of(table, true);
        TargetTransaction.StagedRelation relation =
                new TargetTransaction.StagedRelation(
                        table.qualifiedName(),
                        columns.columns(),
                        columns.quotedNames(),
                        columns.expressions(),
                        config.batchDeduplication
                                ? SqlIdentifiers.quote(TargetTable.BATCH_COLUMN)
                                : null,
                        config.upsertKey,
                        upsertStrategy,
                        null);
        String what = "Writing " + staged + " rows to table " + schema.identifier();
        return batchOfRow ->
                config.retryPolicy.run(what, () -> transaction.apply(flushTarget, relation));
    }

    @Override
    void awaitDrain() throws IOException, InterruptedException {
        StagingDrain.Drained<Long> flushed = flushes.await();
        if (flushed != null) {
            recordsOut.inc(flushed.result);
            bytesOut.inc(flushed.estimatedBytes);
        }
    }

    private DuckDBSinkException flushFailed(
            Throwable e, StagingTable table, LongFunction<String> batchOfRow) {
        TableIdentifier identifier = schema.identifier();
        if (e instanceof DuckDBSinkException) {
            return (DuckDBSinkException) e;
        }
        if (e instanceof SQLException) {
            Exception mapped =
                    Payloads.castFailure(table, identifier, batchOfRow, (SQLException) e);
            if (mapped instanceof DuckDBSinkException) {
                return (DuckDBSinkException) mapped;
            }
            SQLException clean = config.connection.scrub((SQLException) e);
            return new DuckDBSinkException(
                    "Writing "
                            + table.rows()
                            + " rows to table "
                            + identifier
                            + " in "
                            + config.connection.describe()
                            + " failed: "
                            + clean.getMessage(),
                    clean);
        }
        return new DuckDBSinkException(
                "Writing " + table.rows() + " rows to table " + identifier + " failed: " + e, e);
    }

    @Override
    ColumnSchema addToTarget(ColumnSchema inferred) throws Exception {
        config.retryPolicy.run(
                "Adding column " + inferred.name() + " to " + schema.identifier(),
                () -> {
                    targetTable.addColumnIfMissing(inferred);
                    return null;
                });
        // Another writer may have added it first, with a type inferred from its own value.
        DuckDBTableSchema now =
                DuckDBTableSchemaReader.read(target, schema.identifier())
                        .orElseThrow(
                                () ->
                                        new DuckDBSinkException(
                                                "Table " + schema.identifier() + " disappeared"));
        return now.column(now.indexOf(inferred.name()));
    }

    @Override
    public void close() {
        super.close();
        flushes = null;
        closeQuietly(flushConnection, "the flush connection");
        flushConnection = null;
        closeQuietly(target, "the DuckDB connection");
        target = null;
    }

    private static void closeQuietly(Connection c, String what) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("Closing {} failed", what, e);
        }
    }
}
