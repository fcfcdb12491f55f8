package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionOptions;
import io.github.flinkduckdb.connection.DuckDBErrors;
import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.schema.TableSchema;
import io.github.flinkduckdb.schema.TableSchemaReader;
import io.github.flinkduckdb.sink.internal.Payloads;
import io.github.flinkduckdb.sink.internal.StagedColumns;
import io.github.flinkduckdb.sink.internal.StagedRowWriter;
import io.github.flinkduckdb.sink.internal.StagingTable;
import io.github.flinkduckdb.sink.internal.TargetTable;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Buffers the rows of incoming records in a DuckDB staging table and moves them out, either by
 * committing them to the target itself ({@link WriteMode#DIRECT}) or by sealing them into
 * committables for the single committer ({@link WriteMode#COMMITTER}).
 *
 * <p>Everything runs on the task's mailbox thread: {@code write}, {@code flush}, {@code
 * prepareCommit} and the flush timer. DuckDB's appender must stay on the thread that created it.
 */
@Internal
final class DuckDBSinkWriter<IN> implements CommittingSinkWriter<IN, DuckDBCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBSinkWriter.class);

    /**
     * Staged bytes (as the values' sizes estimate them) that trigger a flush or seal before {@code
     * maxBufferedRows} does: wide rows keep the staging databases (two per writer) and the
     * committables in checkpoint state bounded.
     */
    static final long MAX_STAGED_BYTES = 64L << 20;

    private final DuckDBSinkConfig config;
    private final WriteMode mode;
    private final RecordConverter<IN> converter;
    private final ProcessingTimeService timeService;
    private final String jobId;
    private final int subtask;
    private final int attempt;
    private final Counter recordsOut;
    private final Counter bytesOut;
    private final Counter skippedBatchesCounter;
    private volatile long lastRowsPerCommit;
    private volatile long lastCommitMillis;

    private Connection target;
    private TargetTable targetTable;
    private TargetTable.UpsertStrategy upsertStrategy;
    private TableSchema schema;
    private StagingTable staging;
    private StagedRowWriter rows;

    // Direct writes flush in the background: while one staging table is inserted into the
    // target on a second connection, the task thread keeps appending to the other.
    private StagingTable spare;
    private java.sql.Connection flushConnection;
    private TargetTable flushTarget;
    private java.util.concurrent.ExecutorService flusher;
    private InFlightFlush inFlight;
    // The committer path seals in the background the same way: while one staging database is
    // written to a payload, records go on into the other.
    private java.util.concurrent.ExecutorService sealer;
    private InFlightSeal inFlightSeal;
    private final List<DuckDBCommittable> sealed = new ArrayList<>();
    private long sequence;
    private long reportedSkippedBatches;
    private boolean timerPending;

    DuckDBSinkWriter(
            DuckDBSinkConfig config,
            WriteMode mode,
            TableSchema declaredSchema,
            RecordConverter<IN> converter,
            ProcessingTimeService timeService,
            SinkWriterMetricGroup metrics,
            String jobId,
            int subtask,
            int attempt)
            throws Exception {
        this.config = config;
        this.mode = mode;
        this.converter = converter;
        this.timeService = timeService;
        this.jobId = jobId;
        this.subtask = subtask;
        this.attempt = attempt;
        this.recordsOut = metrics.getNumRecordsSendCounter();
        this.bytesOut = metrics.getNumBytesSendCounter();
        this.skippedBatchesCounter = metrics.counter("skippedDuplicateBatches");
        metrics.gauge("rowsPerCommit", () -> lastRowsPerCommit);
        metrics.gauge("commitLatencyMs", () -> lastCommitMillis);
        metrics.gauge("bufferedRows", () -> staging == null ? 0L : staging.rows());
        try {
            open(declaredSchema);
        } catch (Exception e) {
            closeQuietly();
            throw e;
        }
    }

    /** The staging table's columns after the data columns, in the order rows append them. */
    private List<ColumnSchema> systemColumns() {
        List<ColumnSchema> system = new ArrayList<>();
        if (config.batchDeduplication) {
            system.add(
                    ColumnSchema.of(
                            TargetTable.BATCH_COLUMN, DuckDBType.of(DuckDBType.Id.VARCHAR)));
        }
        if (config.isUpsert()) {
            system.add(
                    ColumnSchema.of(TargetTable.OP_COLUMN, DuckDBType.of(DuckDBType.Id.BOOLEAN)));
            system.add(
                    ColumnSchema.of(
                            TargetTable.SEQUENCE_COLUMN, DuckDBType.of(DuckDBType.Id.BIGINT)));
        }
        return system;
    }

    /** Fails when an upsert key column is not a column of the table. */
    private void checkUpsertKey(TableSchema table) {
        for (String key : config.upsertKey) {
            if (table.indexOf(key) < 0) {
                List<String> names = new ArrayList<>();
                for (ColumnSchema c : table.columns()) {
                    names.add(c.name());
                }
                throw new DuckDBSinkException(
                        "Upsert key column '"
                                + key
                                + "' is not a column of table "
                                + table.identifier()
                                + " (columns: "
                                + names
                                + ")");
            }
        }
    }

    private void open(TableSchema declaredSchema) throws Exception {
        DuckDBConnectionOptions options = config.connection;
        if (mode == WriteMode.DIRECT) {
            target = openTarget(options);
            limitThreads(target, options);
            schema =
                    TargetTable.ensureTable(
                            target,
                            TableSchemaReader.resolve(target, config.table),
                            config.createTableSql,
                            options.describe());
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
            staging = newAttachedStaging(plans(schema));
            flushConnection = target.unwrap(org.duckdb.DuckDBConnection.class).duplicate();
            flushTarget = new TargetTable(flushConnection, schema.identifier());
            flusher =
                    backgroundThread("duckdb-flush-" + schema.identifier().table() + "-" + subtask);
        } else {
            if (declaredSchema == null) {
                throw new DuckDBSinkException(
                        "The sink for table "
                                + config.table
                                + " runs its writers without opening the database (write mode COMMITTER) and has no table schema; this happens when the sink is used outside a DataStream job graph");
            }
            schema = declaredSchema;
            staging =
                    StagingTable.inPrivateDatabase(
                            plans(schema), systemColumns(), config.stagingSettings);
            sealer = backgroundThread("duckdb-seal-" + schema.identifier().table() + "-" + subtask);
        }
        checkUpsertKey(schema);
        rows =
                new StagedRowWriter(
                        schema.identifier(),
                        staging,
                        config.unknownColumnPolicy,
                        this::evolve,
                        config.batchDeduplication,
                        config.isUpsert());
        converter.open(schema);
        LOG.info(
                "DuckDB sink writer {} for table {} in {} opened ({}, {})",
                subtask,
                schema.identifier(),
                options.describe(),
                config.deliveryGuarantee,
                mode);
    }

    private StagingTable newAttachedStaging(List<ColumnPlan> plans) throws SQLException {
        String alias = "__flink_duckdb_stage_" + UUID.randomUUID().toString().replace("-", "");
        return StagingTable.attachedTo(target, alias, plans, systemColumns());
    }

    /**
     * Direct writes into a local file run DuckDB with one worker thread unless the user set {@code
     * threads}: the flush runs beside the task thread, and DuckDB's default (a thread per core)
     * made the two compete for the cores of the slot (measured: about 10% slower at parallelism 1
     * on two cores).
     */
    private static void limitThreads(Connection c, DuckDBConnectionOptions options)
            throws SQLException {
        if (!options.localFile().isPresent()) {
            return;
        }
        for (String name : options.settings().keySet()) {
            if (name.equalsIgnoreCase("threads")) {
                return;
            }
        }
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("SET threads = 1");
        }
    }

    private Connection openTarget(DuckDBConnectionOptions options) throws Exception {
        try {
            return config.retryPolicy.run("Opening " + options.describe(), options::open);
        } catch (SQLException e) {
            if (DuckDBErrors.isLockConflict(e)) {
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
            if (DuckDBErrors.isConfigurationConflict(e)) {
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

    private static List<ColumnPlan> plans(TableSchema schema) {
        List<ColumnPlan> plans = new ArrayList<>(schema.size());
        for (ColumnSchema c : schema.columns()) {
            try {
                plans.add(ColumnPlan.of(c));
            } catch (IllegalArgumentException e) {
                throw new DuckDBSinkException(
                        "Table " + schema.identifier() + ": " + e.getMessage(), e);
            }
        }
        return plans;
    }

    private void evolve(String name, DuckDBType type) throws Exception {
        ColumnSchema inferred = ColumnSchema.of(name, type);
        ColumnSchema column = inferred;
        // The background flush finishes first and staged rows are committed: one transaction
        // may not change two databases, and the spare buffer is rebuilt with the new column.
        awaitInFlight();
        awaitSeal();
        staging.flushAppender();
        if (spare != null) {
            spare.close();
            spare = null;
        }
        if (mode == WriteMode.DIRECT) {
            config.retryPolicy.run(
                    "Adding column " + name + " to " + schema.identifier(),
                    () -> {
                        targetTable.addColumnIfMissing(inferred);
                        return null;
                    });
            // Another writer may have added it first, with a type inferred from its own value.
            TableSchema now =
                    TableSchemaReader.read(target, schema.identifier())
                            .orElseThrow(
                                    () ->
                                            new DuckDBSinkException(
                                                    "Table "
                                                            + schema.identifier()
                                                            + " disappeared"));
            column = now.column(now.indexOf(name));
        }
        LOG.info(
                "Adding column {} {} to table {}",
                column.name(),
                column.type(),
                schema.identifier());
        staging.addColumn(ColumnPlan.of(column));
        schema = schema.withColumn(column);
    }

    @Override
    public void write(IN element, Context context)
            throws java.io.IOException, InterruptedException {
        rows.startRecord();
        try {
            converter.convert(element, rows);
        } catch (DuckDBSinkException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DuckDBSinkException(
                    "The record converter failed for table " + config.table + ": " + e, e);
        } catch (Exception e) {
            throw new DuckDBSinkException(
                    "The record converter failed for table " + config.table + ": " + e, e);
        }
        rows.endRecord();
        long skipped = rows.skippedBatches();
        if (skipped != reportedSkippedBatches) {
            skippedBatchesCounter.inc(skipped - reportedSkippedBatches);
            reportedSkippedBatches = skipped;
        }
        if (staging.rows() >= config.maxBufferedRows
                || staging.estimatedBytes() >= MAX_STAGED_BYTES) {
            if (mode == WriteMode.DIRECT) {
                commitBuffer(false);
            } else {
                sealChunk();
            }
        } else if (mode == WriteMode.DIRECT
                && config.flushIntervalMillis > 0
                && !timerPending
                && !staging.isEmpty()) {
            timerPending = true;
            timeService.registerTimer(
                    timeService.getCurrentProcessingTime() + config.flushIntervalMillis,
                    time -> onFlushTimer());
        }
    }

    private void onFlushTimer() throws Exception {
        timerPending = false;
        if (staging != null) {
            commitBuffer(false);
        }
    }

    @Override
    public void flush(boolean endOfInput) throws java.io.IOException, InterruptedException {
        if (mode == WriteMode.DIRECT
                && (config.deliveryGuarantee != DeliveryGuarantee.NONE || endOfInput)) {
            commitBuffer(true);
        }
    }

    @Override
    public Collection<DuckDBCommittable> prepareCommit()
            throws java.io.IOException, InterruptedException {
        if (mode == WriteMode.DIRECT) {
            return Collections.emptyList();
        }
        if (!staging.isEmpty()) {
            sealChunk();
        }
        awaitSeal();
        List<DuckDBCommittable> out = new ArrayList<>(sealed);
        sealed.clear();
        return out;
    }

    /** A background flush of one staging table and what is needed to report on it. */
    private static final class InFlightFlush {
        final StagingTable table;
        final java.util.concurrent.Future<Long> result;
        final java.util.function.LongFunction<String> batchOfRow;
        final long started;

        InFlightFlush(
                StagingTable table,
                java.util.concurrent.Future<Long> result,
                java.util.function.LongFunction<String> batchOfRow,
                long started) {
            this.table = table;
            this.result = result;
            this.batchOfRow = batchOfRow;
            this.started = started;
        }
    }

    /**
     * Direct writes: hands the staged rows to the background flusher, which moves them into the
     * target in one transaction (with retries), and continues in the spare staging table. With
     * {@code wait}, returns only when every staged row is committed (checkpoints, end of input).
     */
    private void commitBuffer(boolean wait) throws java.io.IOException, InterruptedException {
        awaitInFlight();
        if (!staging.isEmpty()) {
            StagingTable table = staging;
            long staged = table.rows();
            StagedColumns columns;
            try {
                table.flushAppender();
                columns = StagedColumns.of(table, true);
                if (spare == null) {
                    spare = newAttachedStaging(table.plans());
                }
            } catch (SQLException e) {
                throw preparationFailed(e);
            }
            String batchColumn =
                    config.batchDeduplication
                            ? SqlIdentifiers.quote(TargetTable.BATCH_COLUMN)
                            : null;
            String from = table.qualifiedName();
            java.util.concurrent.Future<Long> result =
                    flusher.submit(
                            () ->
                                    config.retryPolicy.run(
                                            "Writing "
                                                    + staged
                                                    + " rows to table "
                                                    + schema.identifier(),
                                            () -> {
                                                TargetTable.begin(flushConnection);
                                                try {
                                                    long n =
                                                            config.isUpsert()
                                                                    ? flushTarget.upsert(
                                                                            from,
                                                                            columns.quotedNames(),
                                                                            columns.expressions(),
                                                                            config.upsertKey,
                                                                            upsertStrategy,
                                                                            null)
                                                                    : flushTarget.insert(
                                                                            from,
                                                                            columns.quotedNames(),
                                                                            columns.expressions(),
                                                                            batchColumn,
                                                                            null);
                                                    TargetTable.commit(flushConnection);
                                                    return n;
                                                } catch (Exception e) {
                                                    TargetTable.rollbackQuietly(flushConnection, e);
                                                    throw e;
                                                }
                                            }));
            StagingTable next = spare;
            spare = null;
            staging = next;
            java.util.function.LongFunction<String> batchOfRow = rows.switchTo(next);
            inFlight = new InFlightFlush(table, result, batchOfRow, System.nanoTime());
        }
        if (wait) {
            awaitInFlight();
        }
    }

    /** Waits for the background flush; on success its table becomes the spare again. */
    private void awaitInFlight() throws java.io.IOException, InterruptedException {
        InFlightFlush flush = inFlight;
        if (flush == null) {
            return;
        }
        inFlight = null;
        long inserted;
        try {
            inserted = flush.result.get();
        } catch (java.util.concurrent.ExecutionException failed) {
            Throwable e = failed.getCause();
            if (e instanceof DuckDBSinkException) {
                throw (DuckDBSinkException) e;
            }
            if (e instanceof SQLException) {
                Exception mapped =
                        Payloads.castFailure(
                                flush.table,
                                schema.identifier(),
                                flush.batchOfRow,
                                (SQLException) e);
                if (mapped instanceof DuckDBSinkException) {
                    throw (DuckDBSinkException) mapped;
                }
                SQLException clean = config.connection.scrub((SQLException) e);
                throw new DuckDBSinkException(
                        "Writing "
                                + flush.table.rows()
                                + " rows to table "
                                + schema.identifier()
                                + " in "
                                + config.connection.describe()
                                + " failed: "
                                + clean.getMessage(),
                        clean);
            }
            throw new DuckDBSinkException(
                    "Writing "
                            + flush.table.rows()
                            + " rows to table "
                            + schema.identifier()
                            + " failed: "
                            + e,
                    e);
        }
        recordsOut.inc(inserted);
        bytesOut.inc(flush.table.estimatedBytes());
        lastRowsPerCommit = inserted;
        lastCommitMillis = (System.nanoTime() - flush.started) / 1_000_000;
        try {
            // The active table's open transaction is committed first: resetting the flushed
            // table inside it would make one transaction change two databases.
            staging.flushAppender();
            flush.table.reset();
        } catch (SQLException e) {
            throw new java.io.IOException(
                    "Could not reset the staging table: " + e.getMessage(), e);
        }
        keepAsSpare(flush.table);
    }

    /** A background seal of one staging database and what is needed to report on it. */
    private static final class InFlightSeal {
        final StagingTable table;
        final java.util.concurrent.Future<Payloads.Sealed> result;

        InFlightSeal(StagingTable table, java.util.concurrent.Future<Payloads.Sealed> result) {
            this.table = table;
            this.result = result;
        }
    }

    /**
     * Committer path: hands the staged rows to the background sealer, which writes them into a
     * payload, and continues in the spare staging database. A batch is never split: this runs
     * between records. {@link #prepareCommit()} waits for the seal before it returns committables.
     */
    private void sealChunk() throws java.io.IOException, InterruptedException {
        awaitSeal();
        StagingTable table = staging;
        try {
            table.flushAppender();
            if (spare == null) {
                spare =
                        StagingTable.inPrivateDatabase(
                                table.plans(), systemColumns(), config.stagingSettings);
            }
        } catch (SQLException e) {
            throw preparationFailed(e);
        }
        StagingTable next = spare;
        spare = null;
        staging = next;
        java.util.function.LongFunction<String> batchOfRow = rows.switchTo(next);
        TableIdentifier identifier = schema.identifier();
        java.util.concurrent.Future<Payloads.Sealed> result =
                sealer.submit(() -> Payloads.seal(table, identifier, batchOfRow));
        inFlightSeal = new InFlightSeal(table, result);
    }

    /** Waits for the background seal; its committable joins the sealed ones, its table is spare. */
    private void awaitSeal() throws java.io.IOException, InterruptedException {
        InFlightSeal seal = inFlightSeal;
        if (seal == null) {
            return;
        }
        inFlightSeal = null;
        Payloads.Sealed s;
        try {
            s = seal.result.get();
        } catch (java.util.concurrent.ExecutionException failed) {
            Throwable e = failed.getCause();
            if (e instanceof DuckDBSinkException) {
                throw (DuckDBSinkException) e;
            }
            throw new DuckDBSinkException(
                    "Sealing "
                            + seal.table.rows()
                            + " rows for table "
                            + schema.identifier()
                            + " failed: "
                            + e,
                    e);
        }
        DuckDBCommittable committable =
                new DuckDBCommittable(
                        UUID.randomUUID().toString(),
                        jobId,
                        subtask,
                        attempt,
                        sequence++,
                        seal.table.rows(),
                        s.format,
                        s.columns,
                        config.batchDeduplication,
                        config.upsertKey,
                        s.bytes);
        sealed.add(committable);
        recordsOut.inc(seal.table.rows());
        bytesOut.inc(s.bytes.length);
        LOG.debug("Sealed {}", committable);
        try {
            seal.table.reset();
        } catch (SQLException e) {
            throw new java.io.IOException(
                    "Could not reset the staging table: " + e.getMessage(), e);
        }
        keepAsSpare(seal.table);
    }

    /** A drained staging table becomes the spare, or is closed when there is one already. */
    private void keepAsSpare(StagingTable drained) {
        if (spare == null) {
            spare = drained;
            return;
        }
        try {
            drained.close();
        } catch (SQLException e) {
            LOG.debug("Closing a staging table failed", e);
        }
    }

    private java.io.IOException preparationFailed(SQLException e) {
        return new java.io.IOException(
                "Could not prepare the staged rows of table "
                        + schema.identifier()
                        + ": "
                        + e.getMessage(),
                e);
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private static void stopQuietly(java.util.concurrent.ExecutorService executor) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ExecutorService backgroundThread(String name) {
        return java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                });
    }

    private void closeQuietly() {
        // Let a running flush or seal end before its connection closes under it.
        stopQuietly(flusher);
        flusher = null;
        stopQuietly(sealer);
        sealer = null;
        for (StagingTable t :
                new StagingTable[] {
                    staging,
                    spare,
                    inFlight == null ? null : inFlight.table,
                    inFlightSeal == null ? null : inFlightSeal.table
                }) {
            if (t != null) {
                try {
                    t.close();
                } catch (Exception e) {
                    LOG.debug("Closing a staging table failed", e);
                }
            }
        }
        staging = null;
        spare = null;
        inFlight = null;
        inFlightSeal = null;
        if (flushConnection != null) {
            try {
                flushConnection.close();
            } catch (Exception e) {
                LOG.debug("Closing the flush connection failed", e);
            }
            flushConnection = null;
        }
        if (target != null) {
            try {
                target.close();
            } catch (Exception e) {
                LOG.debug("Closing the DuckDB connection failed", e);
            }
            target = null;
        }
    }
}
