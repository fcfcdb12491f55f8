package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.compat.SinkAdapter;
import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.schema.DuckDBTableSchema;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.types.Row;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A Flink sink (Sink V2) writing to a DuckDB file or to MotherDuck.
 *
 * <p>Input: three shapes are built in, no code needed: keyed batches {@code (batchId, rows)}
 * ({@link #forKeyedBatches}), one map per row ({@link #forMaps}) and Flink {@link Row}s ({@link
 * #forRows}). Map keys and row field names match table columns case-insensitively; values are
 * converted strictly to the column types.
 *
 * <p>Extending: any other record type gets a {@link RowWriter}, the sink's one user extension point
 * (what {@code KafkaRecordSerializationSchema} is to the Kafka sink and {@code ElementConverter} to
 * DynamoDB's). It appends one record's values, in table column order, to a {@link
 * DuckDBRowAppender}, which puts them straight into DuckDB's appender: no maps, no boxing. {@link
 * RowWriter#open} sees the table's schema before the first record, and {@link RowWriter#kind} turns
 * a record into an update or a deletion for a sink with an upsert key.
 *
 * <pre>{@code
 * orders.sinkTo(DuckDBSink.forRowWriter("jdbc:duckdb:/data/shop.duckdb", "orders",
 *         (Order o, DuckDBRowAppender row) -> row.append(o.id).append(o.customer).append(o.total))
 *     .build());
 * }</pre>
 *
 * <p>Records that carry several rows as one atomic batch are mapped to the keyed-batch shape first.
 * {@link RecordConverter} and {@link RowCollector}, the plumbing behind the built-in shapes and the
 * SQL connector, are internal.
 *
 * <p>Delivery:
 *
 * <ul>
 *   <li>{@link DeliveryGuarantee#AT_LEAST_ONCE} (default): writers buffer rows and commit them in
 *       one transaction when the buffer reaches {@code maxBufferedRows}, when the flush interval
 *       passes and at every checkpoint. After a failure, rows written since the last checkpoint may
 *       be written again.
 *   <li>{@link DeliveryGuarantee#EXACTLY_ONCE}: Flink's checkpoint is the write-ahead log. Writers
 *       seal each checkpoint's rows into a committable with a unique id; after the checkpoint
 *       completes, one committer applies it together with a marker row in one transaction and skips
 *       committables whose marker exists. Writers never open the database, so this works with
 *       writers in several TaskManagers; the table's schema is settled when the job is built, read
 *       from the database without taking its write lock or taken from the create-table statement.
 *   <li>{@link DeliveryGuarantee#NONE}: like at-least-once, without the flush at checkpoints.
 * </ul>
 *
 * <p>A batch is atomic in every mode: its rows become visible in one transaction or not at all.
 * With batch de-duplication on, a batch whose id was already committed to the table is skipped.
 * Lock conflicts and transient I/O errors are retried with backoff up to {@code maxRetries} times;
 * bad input and rejected statements fail the job with a message naming table, column and batch. A
 * failed flush never drops its rows.
 *
 * @param <IN> the input type
 */
@PublicEvolving
public final class DuckDBSink<IN> extends SinkAdapter<IN>
        implements SupportsCommitter<DuckDBCommittable>,
                SupportsPreCommitTopology<DuckDBCommittable, DuckDBCommittable> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DuckDBSink.class);

    private final DuckDBSinkConfig config;
    private final RecordConverter<IN> converter;
    private DuckDBTableSchema declaredSchema;
    private WriteMode resolvedMode;

    DuckDBSink(
            DuckDBSinkConfig config,
            RecordConverter<IN> converter,
            DuckDBTableSchema declaredSchema) {
        this.config = config;
        this.converter = converter;
        this.declaredSchema = declaredSchema;
    }

    /** A builder for any input type; set its {@link RowWriter} with {@code setRowWriter}. */
    public static <IN> DuckDBSinkBuilder<IN> builder() {
        return new DuckDBSinkBuilder<>();
    }

    /**
     * A builder for keyed batches {@code (batchId, rows)}: each record is one atomic batch; enable
     * {@link DuckDBSinkBuilder#setBatchDeduplication(boolean)} to skip batch ids already written.
     */
    public static DuckDBSinkBuilder<Tuple2<String, List<Map<String, Object>>>> forKeyedBatches(
            String url, String tableName) {
        return DuckDBSink.<Tuple2<String, List<Map<String, Object>>>>builder()
                .setUrl(url)
                .setTableName(tableName)
                .setRecordConverter(new Converters.KeyedBatches());
    }

    /** A builder for single rows given as column name to value. */
    public static DuckDBSinkBuilder<Map<String, Object>> forMaps(String url, String tableName) {
        return DuckDBSink.<Map<String, Object>>builder()
                .setUrl(url)
                .setTableName(tableName)
                .setRecordConverter(new Converters.Maps());
    }

    /** A builder for Flink {@link Row}s, matched by field name or else by position. */
    public static DuckDBSinkBuilder<Row> forRows(String url, String tableName) {
        return DuckDBSink.<Row>builder()
                .setUrl(url)
                .setTableName(tableName)
                .setRecordConverter(new Converters.Rows());
    }

    /**
     * A builder for records of any type, appended by {@code writer} (the extension point, and the
     * fast path).
     */
    public static <IN> DuckDBSinkBuilder<IN> forRowWriter(
            String url, String tableName, RowWriter<IN> writer) {
        return DuckDBSink.<IN>builder().setUrl(url).setTableName(tableName).setRowWriter(writer);
    }

    /** The settings this sink was built with. */
    @VisibleForTesting
    DuckDBSinkConfig getConfig() {
        return config;
    }

    @Internal
    @Override
    public SinkWriter<IN> createWriter(WriterInitContext context) throws IOException {
        return newWriter(
                context.getProcessingTimeService(),
                context.metricGroup(),
                context.getJobInfo().getJobId().toHexString(),
                context.getTaskInfo().getIndexOfThisSubtask(),
                context.getTaskInfo().getAttemptNumber(),
                context.getTaskInfo().getNumberOfParallelSubtasks());
    }

    private SinkWriter<IN> newWriter(
            org.apache.flink.api.common.operators.ProcessingTimeService timeService,
            org.apache.flink.metrics.groups.SinkWriterMetricGroup metrics,
            String jobId,
            int subtask,
            int attempt,
            int parallelism)
            throws IOException {
        WriteMode mode = resolvedMode != null ? resolvedMode : resolveMode(null, parallelism);
        try {
            return DuckDBSinkWriter.create(
                    config,
                    mode,
                    declaredSchema,
                    converter,
                    timeService,
                    metrics,
                    jobId,
                    subtask,
                    attempt);
        } catch (DuckDBSinkException | IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(
                    "Could not start the DuckDB sink writer for table "
                            + config.table
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    @Internal
    @Override
    public Committer<DuckDBCommittable> createCommitter(CommitterInitContext context) {
        return new DuckDBCommitter(
                config, context.metricGroup(), context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Internal
    @Override
    public SimpleVersionedSerializer<DuckDBCommittable> getCommittableSerializer() {
        return new DuckDBCommittableSerializer();
    }

    @Internal
    @Override
    public SimpleVersionedSerializer<DuckDBCommittable> getWriteResultSerializer() {
        return new DuckDBCommittableSerializer();
    }

    /**
     * Routes every committable to committer subtask 0, so one process writes the database. Also the
     * point where the write mode is settled, because the execution target is known here.
     */
    @Internal
    @Override
    public DataStream<CommittableMessage<DuckDBCommittable>> addPreCommitTopology(
            DataStream<CommittableMessage<DuckDBCommittable>> committables) {
        String target =
                committables
                        .getExecutionEnvironment()
                        .getConfiguration()
                        .get(DeploymentOptions.TARGET);
        int parallelism = committables.getParallelism();
        if (parallelism <= 0) {
            parallelism = committables.getExecutionEnvironment().getParallelism();
        }
        settle(target, parallelism);
        if (resolvedMode == WriteMode.COMMITTER) {
            warnIfCommittablesMeetMemoryStorage(
                    committables.getExecutionEnvironment().getConfiguration());
        }
        return committables.global();
    }

    /**
     * The committer path carries each checkpoint's rows through Flink state; the JobManager's
     * memory checkpoint storage (what a job without a checkpoint directory gets) refuses any state
     * above 5 MB, which about a second of rows at full speed exceeds. Said when the job is built,
     * not after the checkpoints started failing.
     */
    private void warnIfCommittablesMeetMemoryStorage(ReadableConfig configuration) {
        if (checkpointsInJobManagerMemory(configuration)) {
            LOG.warn(
                    "DuckDB sink for table {}: {} writes through the committer, which keeps each"
                            + " checkpoint's rows in Flink state, and this job has no checkpoint"
                            + " directory. Unless the cluster configures one, checkpoints larger than"
                            + " 5 MB (about a second of rows at full speed) will fail in the"
                            + " JobManager's memory storage: set '{}' to a filesystem path.",
                    config.table,
                    config.deliveryGuarantee,
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY.key());
        }
    }

    /** Whether checkpoints of a job with this configuration go to the JobManager's memory. */
    @VisibleForTesting
    static boolean checkpointsInJobManagerMemory(ReadableConfig configuration) {
        boolean directory =
                configuration.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isPresent();
        String storage =
                configuration.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE).orElse(null);
        return !directory && (storage == null || storage.equalsIgnoreCase("jobmanager"));
    }

    /** Fixes the write mode (and, for the committer path, the table schema) before the job runs. */
    @VisibleForTesting
    void settle(String executionTarget, int parallelism) {
        resolvedMode = resolveMode(executionTarget, parallelism);
        if (resolvedMode == WriteMode.COMMITTER && declaredSchema == null) {
            declaredSchema = CommitterPathSchema.resolve(config);
        }
        LOG.info(
                "DuckDB sink for table {} in {}: {}, write mode {}",
                config.table,
                config.connection.describe(),
                config.deliveryGuarantee,
                resolvedMode);
    }

    @VisibleForTesting
    DuckDBTableSchema declaredSchema() {
        return declaredSchema;
    }

    @VisibleForTesting
    RecordConverter<IN> recordConverter() {
        return converter;
    }

    /** The write mode settled when the job graph was built, or null before. */
    @VisibleForTesting
    WriteMode resolvedMode() {
        return resolvedMode;
    }

    @VisibleForTesting
    WriteMode resolveMode(String executionTarget, int parallelism) {
        if (config.deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            return WriteMode.COMMITTER;
        }
        if (config.writeMode != WriteMode.AUTO) {
            return config.writeMode;
        }
        if (config.releaseBetweenCommits && !config.connection.isMotherDuck()) {
            return WriteMode.COMMITTER;
        }
        DuckDBConnectionProvider c = config.connection;
        if (c.isMotherDuck() || c.isInMemory() || parallelism == 1) {
            return WriteMode.DIRECT;
        }
        if ("local".equals(executionTarget) || "minicluster".equals(executionTarget)) {
            return WriteMode.DIRECT;
        }
        return WriteMode.COMMITTER;
    }

    @Override
    public String toString() {
        return "DuckDBSink{" + config + '}';
    }
}
