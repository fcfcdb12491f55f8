package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.internal.Payloads;
import io.github.flinkduckdb.sink.internal.StagingDrain;
import io.github.flinkduckdb.sink.internal.StagingTable;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.LongFunction;

/**
 * The writer of {@link WriteMode#COMMITTER} (and so of exactly-once): never opens the target
 * database. Staged rows are sealed into {@link DuckDBCommittable}s (a Parquet or DuckDB payload),
 * in the background while records go on into the other staging database, and handed to the
 * committer at each checkpoint by {@link #prepareCommit()}.
 */
@Internal
final class CommittingDuckDBWriter<IN> extends DuckDBSinkWriter<IN> {

    private static final Logger LOG = LoggerFactory.getLogger(CommittingDuckDBWriter.class);

    private final String jobId;
    private final int attempt;
    private final List<DuckDBCommittable> sealed = new ArrayList<>();
    private StagingDrain<Payloads.Sealed> seals;
    private long sequence;

    CommittingDuckDBWriter(
            DuckDBSinkConfig config,
            DuckDBTableSchema declaredSchema,
            RecordConverter<IN> converter,
            SinkWriterMetricGroup metrics,
            String jobId,
            int subtask,
            int attempt)
            throws Exception {
        super(config, converter, metrics, subtask);
        this.jobId = jobId;
        this.attempt = attempt;
        if (declaredSchema == null) {
            throw new DuckDBSinkException(
                    "The sink for table "
                            + config.table
                            + " runs its writers without opening the database (write mode COMMITTER) and has no table schema; this happens when the sink is used outside a DataStream job graph");
        }
        try {
            StagingTable first =
                    StagingTable.inPrivateDatabase(
                            plans(declaredSchema), systemColumns(), config.stagingSettings);
            TableIdentifier identifier = declaredSchema.identifier();
            seals =
                    new StagingDrain<>(
                            "duckdb-seal-" + identifier.table() + "-" + subtask,
                            identifier,
                            first,
                            plans ->
                                    StagingTable.inPrivateDatabase(
                                            plans, systemColumns(), config.stagingSettings),
                            this::sealFailed);
            startStaging(declaredSchema, seals, WriteMode.COMMITTER);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    @Override
    public void write(IN element, Context context) throws IOException, InterruptedException {
        if (stage(element)) {
            sealBuffer();
        }
    }

    /** Committables are sealed when the buffer fills and at {@link #prepareCommit()}. */
    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public Collection<DuckDBCommittable> prepareCommit() throws IOException, InterruptedException {
        if (!seals.active().isEmpty()) {
            sealBuffer();
        }
        awaitDrain();
        List<DuckDBCommittable> out = new ArrayList<>(sealed);
        sealed.clear();
        return out;
    }

    /**
     * Hands the staged rows to the background sealer, which writes them into a payload, and
     * continues in the spare staging database. A batch is never split: this runs between records.
     */
    private void sealBuffer() throws IOException, InterruptedException {
        awaitDrain();
        TableIdentifier identifier = schema.identifier();
        seals.start(table -> batchOfRow -> Payloads.seal(table, identifier, batchOfRow), rows);
    }

    /** Waits for the background seal; its committable joins the sealed ones. */
    @Override
    void awaitDrain() throws IOException, InterruptedException {
        StagingDrain.Drained<Payloads.Sealed> done = seals.await();
        if (done == null) {
            return;
        }
        Payloads.Sealed s = done.result;
        DuckDBCommittable committable =
                new DuckDBCommittable(
                        UUID.randomUUID().toString(),
                        jobId,
                        subtask,
                        attempt,
                        sequence++,
                        done.rows,
                        s.format,
                        s.columns,
                        config.batchDeduplication,
                        config.upsertKey,
                        s.bytes);
        sealed.add(committable);
        recordsOut.inc(done.rows);
        bytesOut.inc(s.bytes.length);
        LOG.debug("Sealed {}", committable);
    }

    private DuckDBSinkException sealFailed(
            Throwable e, StagingTable table, LongFunction<String> batchOfRow) {
        if (e instanceof DuckDBSinkException) {
            return (DuckDBSinkException) e;
        }
        return new DuckDBSinkException(
                "Sealing "
                        + table.rows()
                        + " rows for table "
                        + schema.identifier()
                        + " failed: "
                        + e,
                e);
    }

    /** The committer adds the column to the target when it applies the committable. */
    @Override
    ColumnSchema addToTarget(ColumnSchema inferred) {
        return inferred;
    }

    @Override
    public void close() {
        super.close();
        seals = null;
    }
}
