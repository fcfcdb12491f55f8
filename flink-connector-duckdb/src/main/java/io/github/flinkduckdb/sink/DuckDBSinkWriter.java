package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.sink.internal.CommitGauges;
import io.github.flinkduckdb.sink.internal.StagingDrain;
import io.github.flinkduckdb.sink.internal.StagingRowCollector;
import io.github.flinkduckdb.sink.internal.StagingTable;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The part both writers share: records are converted by the {@link RecordConverter} into rows of a
 * DuckDB staging table, which a {@link StagingDrain} moves out in the background while the next
 * rows go into a second one. {@link DirectDuckDBWriter} drains into the target itself ({@link
 * WriteMode#DIRECT}); {@link CommittingDuckDBWriter} seals committables for the committer ({@link
 * WriteMode#COMMITTER}).
 *
 * <p>Everything but the drain runs on the task's mailbox thread: {@code write}, {@code flush},
 * {@code prepareCommit} and the flush timer. DuckDB's appender must stay on the thread that created
 * it.
 */
@Internal
abstract class DuckDBSinkWriter<IN> implements CommittingSinkWriter<IN, DuckDBCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBSinkWriter.class);

    /**
     * Staged bytes (as the values' sizes estimate them) that trigger a flush or seal before {@code
     * maxBufferedRows} does: wide rows keep the staging databases (two per writer) and the
     * committables in checkpoint state bounded.
     */
    static final long MAX_STAGED_BYTES = 64L << 20;

    final DuckDBSinkConfig config;
    final int subtask;
    final Counter recordsOut;
    final Counter bytesOut;

    /**
     * Set by the direct writer's flushes; the committing writer's stay 0 (the committer commits).
     */
    final CommitGauges commitGauges;

    private final RecordConverter<IN> converter;
    private final Counter skippedBatchesCounter;
    private long reportedSkippedBatches;

    DuckDBTableSchema schema;
    StagingDrain<?> drain;
    StagingRowCollector rows;

    /** The writer of {@code mode}, with its database (direct) or staging (committer) open. */
    static <IN> DuckDBSinkWriter<IN> create(
            DuckDBSinkConfig config,
            WriteMode mode,
            DuckDBTableSchema declaredSchema,
            RecordConverter<IN> converter,
            ProcessingTimeService timeService,
            SinkWriterMetricGroup metrics,
            String jobId,
            int subtask,
            int attempt)
            throws Exception {
        return mode == WriteMode.DIRECT
                ? new DirectDuckDBWriter<>(config, converter, timeService, metrics, subtask)
                : new CommittingDuckDBWriter<>(
                        config, declaredSchema, converter, metrics, jobId, subtask, attempt);
    }

    DuckDBSinkWriter(
            DuckDBSinkConfig config,
            RecordConverter<IN> converter,
            SinkWriterMetricGroup metrics,
            int subtask) {
        this.config = config;
        this.converter = converter;
        this.subtask = subtask;
        this.recordsOut = metrics.getNumRecordsSendCounter();
        this.bytesOut = metrics.getNumBytesSendCounter();
        this.skippedBatchesCounter = metrics.counter("skippedDuplicateBatches");
        this.commitGauges = new CommitGauges(metrics);
        metrics.gauge("bufferedRows", this::bufferedRows);
    }

    private long bufferedRows() {
        StagingDrain<?> d = drain;
        StagingTable active = d == null ? null : d.active();
        return active == null ? 0L : active.rows();
    }

    /** Starts converting into the drain's active table, once the writer's table is known. */
    final void startStaging(DuckDBTableSchema schema, StagingDrain<?> drain, WriteMode mode)
            throws Exception {
        this.schema = schema;
        this.drain = drain;
        checkUpsertKey(schema);
        rows =
                new StagingRowCollector(
                        schema.identifier(),
                        drain.active(),
                        config.unknownColumnPolicy,
                        this::evolve,
                        config.batchDeduplication,
                        config.isUpsert());
        converter.open(schema);
        LOG.info(
                "DuckDB sink writer {} for table {} in {} opened ({}, {})",
                subtask,
                schema.identifier(),
                config.connection.describe(),
                config.deliveryGuarantee,
                mode);
    }

    /** The staging table's system columns for this sink's settings. */
    final List<ColumnSchema> systemColumns() {
        return StagingRowCollector.systemColumns(config.batchDeduplication, config.isUpsert());
    }

    /** How each column of {@code schema} is staged. */
    static List<ColumnPlan> plans(DuckDBTableSchema schema) {
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

    /** Fails when an upsert key column is not a column of the table. */
    private void checkUpsertKey(DuckDBTableSchema table) {
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

    /**
     * Converts one record into staged rows; returns whether the buffer is full (rows or bytes) and
     * is to be drained.
     */
    final boolean stage(IN element) {
        rows.startRecord();
        try {
            converter.convert(element, rows);
        } catch (DuckDBSinkException e) {
            throw e;
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
        StagingTable staging = drain.active();
        return staging.rows() >= config.maxBufferedRows
                || staging.estimatedBytes() >= MAX_STAGED_BYTES;
    }

    /** Waits for the drain in flight and takes in its result. */
    abstract void awaitDrain() throws IOException, InterruptedException;

    /**
     * Adds a new column ({@link UnknownColumnPolicy#EVOLVE}) to the target where the writer writes
     * it; returns the column as the target has it.
     */
    abstract ColumnSchema addToTarget(ColumnSchema inferred) throws Exception;

    private void evolve(String name, DuckDBType type) throws Exception {
        // The background drain finishes first and staged rows are committed: one transaction
        // may not change two databases, and the spare buffer is rebuilt with the new column.
        awaitDrain();
        StagingTable staging = drain.active();
        staging.flushAppender();
        drain.dropSpare();
        ColumnSchema column = addToTarget(ColumnSchema.of(name, type));
        LOG.info(
                "Adding column {} {} to table {}",
                column.name(),
                column.type(),
                schema.identifier());
        staging.addColumn(ColumnPlan.of(column));
        schema = schema.withColumn(column);
    }

    @Override
    public void close() {
        if (drain != null) {
            // Lets a running drain end before its connection closes under it.
            drain.close();
            drain = null;
        }
    }
}
