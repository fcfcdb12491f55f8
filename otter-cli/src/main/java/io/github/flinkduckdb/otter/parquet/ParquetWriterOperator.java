package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.otter.flink.JobCheckpointing;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes one model's rows to Parquet files that appear atomically when a Flink checkpoint
 * completes: a two-phase commit with Flink's checkpoint as the write-ahead log.
 *
 * <ul>
 *   <li>Rows wait in an in-memory DuckDB. Before each checkpoint barrier they are sealed into a
 *       Parquet chunk in the staging folder (named after the checkpoint), and the chunk's name goes
 *       into the operator state.
 *   <li>When the chunks waiting for a file reach {@code max_file_bytes}, or the oldest row is
 *       {@code max_age_seconds} old, or the input ends, or the job stops with a savepoint, they
 *       become a roll (also in the state).
 *   <li>When the checkpoint completes, each roll is merged (DuckDB {@code COPY ... PARTITION_BY})
 *       and renamed into the output tree, all its files at once, by {@link ParquetFileCommitter}.
 *       After a restore, the restored rolls are published again, which is idempotent, and chunks
 *       written after the restored checkpoint and leftovers of interrupted commits are deleted.
 * </ul>
 */
public final class ParquetWriterOperator<IN> extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<IN, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ParquetWriterOperator.class);
    private static final Pattern CHUNK = Pattern.compile("c(\\d{19})-(\\d+)\\.chunk");

    private final ParquetModelOutput output;

    private transient ParquetStagingBuffers buffer;
    private transient ParquetFileCommitter committer;
    private transient ListState<String> state;
    private transient Path chunkRoot;
    private transient String writerDir;
    private transient List<ParquetChunk> pending;
    private transient List<ParquetRoll> rolls;
    private transient long lastCheckpointId;
    private transient int sequence;
    private transient Counter rowsIn;
    private transient Counter rowsPublished;
    private transient Counter filesPublished;
    private transient volatile long lastPublishMillis;
    private transient volatile boolean healthy;

    public ParquetWriterOperator(ParquetModelOutput output) {
        this.output = output;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        try {
            restore(context);
        } catch (IOException e) {
            // Named for /readyz and the run's log; a file system error is retried (an outage).
            throw new IOException(
                    "parquet output "
                            + output.model()
                            + ": preparing the output folders failed: "
                            + e.getClass().getSimpleName()
                            + " "
                            + e.getMessage(),
                    e);
        }
    }

    private void restore(StateInitializationContext context) throws Exception {
        Path staging = output.stagingRoot().resolve(output.model());
        Path outDir = output.outputRoot().resolve(output.model());
        ParquetFileCommitter.checkSameFileSystem(staging, outDir);
        chunkRoot = staging.resolve("chunks");
        committer =
                new ParquetFileCommitter(
                        output.model(),
                        outDir,
                        staging.resolve("commits"),
                        output.partitionBy(),
                        output.dedupeKey(),
                        output.compression(),
                        output.policy().maxFileBytes(),
                        output.shaped());
        buffer = new ParquetStagingBuffers(output, staging);
        state =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("otter-parquet", Types.STRING));
        pending = new ArrayList<>();
        rolls = new ArrayList<>();
        List<ParquetWriterState> restored = new ArrayList<>();
        if (context.isRestored()) {
            for (String json : state.get()) {
                restored.add(ParquetWriterState.fromJson(json));
            }
        }
        OptionalLong restoredId = context.getRestoredCheckpointId();
        lastCheckpointId = restoredId.orElse(0L);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        if (restored.isEmpty()) {
            // Nothing restored: chunks left in this job's folder come from a failed attempt.
            writerDir = getRuntimeContext().getJobInfo().getJobId().toHexString() + "-s" + subtask;
            sweep(writerDir, -1, Set.of());
            committer.sweep(List.of(writerDir), List.of());
        } else {
            writerDir = restored.get(0).writerDir();
            Set<String> referenced = new HashSet<>();
            for (ParquetWriterState s : restored) {
                s.pending().forEach(c -> referenced.add(c.path()));
                s.rolls().forEach(r -> referenced.addAll(r.chunks()));
                pending.addAll(s.pending());
                rolls.addAll(s.rolls());
            }
            for (ParquetWriterState s : restored) {
                sweep(s.writerDir(), lastCheckpointId, referenced);
            }
            committer.sweep(restored.stream().map(ParquetWriterState::writerDir).toList(), rolls);
        }
        Files.createDirectories(chunkRoot.resolve(writerDir));
        healthy = true;
    }

    @Override
    public void open() throws Exception {
        super.open();
        rowsIn = getMetricGroup().counter("otterParquetRowsIn");
        rowsPublished = getMetricGroup().counter("otterParquetRowsPublished");
        filesPublished = getMetricGroup().counter("otterParquetFilesPublished");
        getMetricGroup().gauge("otterParquetHealthy", () -> healthy ? 1 : 0);
        getMetricGroup().gauge("otterParquetLastPublishMillis", () -> lastPublishMillis);
        getMetricGroup().gauge("otterParquetBufferedRows", () -> buffer.rows());
        if (!rolls.isEmpty()) {
            // Restored rolls belong to a completed checkpoint (the one restored): publish them,
            // here and not in initializeState, where the counters do not exist yet.
            LOG.info(
                    "Model {}: publishing {} Parquet roll(s) restored from checkpoint {}",
                    output.model(),
                    rolls.size(),
                    lastCheckpointId);
            publish(Long.MAX_VALUE);
        }
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        buffer.add(element.getValue());
        rowsIn.inc();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        lastCheckpointId = Math.max(lastCheckpointId, checkpointId);
        seal(checkpointId);
        if (!pending.isEmpty() && shouldRoll()) {
            roll(checkpointId);
        }
    }

    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions checkpointOptions,
            CheckpointStreamFactory factory)
            throws Exception {
        if (!pending.isEmpty() && stopsTheJob(checkpointOptions)) {
            // A stop (Ctrl-C, `flink stop`): the savepoint's completion publishes what the job
            // consumed, whatever the thresholds. Rows arriving after this barrier go to the next
            // run (none arrive on a stop without drain: the sources end at the savepoint).
            roll(checkpointId);
        }
        return super.snapshotState(checkpointId, timestamp, checkpointOptions, factory);
    }

    /**
     * A synchronous savepoint ends the job: stop-with-savepoint, with or without drain. It is the
     * one savepoint whose completion Flink reports to the operators before the tasks end.
     */
    static boolean stopsTheJob(CheckpointOptions options) {
        return options.getCheckpointType() instanceof SavepointType savepoint
                && savepoint.isSynchronous();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        state.update(
                List.of(
                        new ParquetWriterState(
                                        ParquetWriterState.VERSION, writerDir, pending, rolls)
                                .toJson()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        publish(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        // The end of a bounded input: everything becomes one last roll, published by the final
        // checkpoint (its id is above every id seen so far).
        long next = lastCheckpointId + 1;
        seal(next);
        if (!pending.isEmpty()) {
            roll(next);
        }
        if (!JobCheckpointing.enabled(getContainingTask().getEnvironment().getJobConfiguration())) {
            publish(Long.MAX_VALUE);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (buffer != null) {
                buffer.close();
            }
        } finally {
            super.close();
        }
    }

    private boolean shouldRoll() {
        long bytes = 0;
        long oldest = Long.MAX_VALUE;
        for (ParquetChunk c : pending) {
            bytes += c.bytes();
            oldest = Math.min(oldest, c.firstRowMillis());
        }
        long ageMillis = System.currentTimeMillis() - oldest;
        return bytes >= output.policy().maxFileBytes()
                || ageMillis >= output.policy().maxAgeSeconds() * 1000L;
    }

    private void seal(long checkpointId) throws Exception {
        pending.addAll(
                buffer.seal(
                        chunkRoot,
                        () ->
                                writerDir
                                        + "/"
                                        + String.format(
                                                Locale.ROOT,
                                                "c%019d-%d.chunk",
                                                checkpointId,
                                                sequence++)));
    }

    private void roll(long checkpointId) {
        long rows = pending.stream().mapToLong(ParquetChunk::rows).sum();
        String id =
                String.format(
                        Locale.ROOT,
                        "%d-%s",
                        System.currentTimeMillis(),
                        UUID.randomUUID().toString().substring(0, 8));
        rolls.add(
                new ParquetRoll(
                        id, checkpointId, pending.stream().map(ParquetChunk::path).toList(), rows));
        pending = new ArrayList<>();
    }

    private void publish(long upToCheckpoint) throws Exception {
        Iterator<ParquetRoll> it = rolls.iterator();
        while (it.hasNext()) {
            ParquetRoll roll = it.next();
            if (roll.checkpointId() > upToCheckpoint) {
                continue;
            }
            List<Path> files;
            try {
                files = committer.commit(buffer.connection(), roll, chunkRoot);
            } catch (Exception e) {
                healthy = false;
                throw new IOException(
                        "parquet output "
                                + output.model()
                                + ": publishing roll "
                                + roll.id()
                                + " failed (it stays in the checkpoint and is retried after the"
                                + " restart): "
                                + e.getClass().getSimpleName()
                                + " "
                                + e.getMessage(),
                        e);
            }
            it.remove();
            healthy = true;
            lastPublishMillis = System.currentTimeMillis();
            if (!files.isEmpty()) {
                rowsPublished.inc(roll.rows());
                filesPublished.inc(files.size());
                LOG.debug("Model {}: published {} rows in {}", output.model(), roll.rows(), files);
            }
        }
    }

    /** Deletes chunks in {@code dir} sealed after {@code restoredCheckpoint} and not referenced. */
    private void sweep(String dir, long restoredCheckpoint, Set<String> referenced)
            throws IOException {
        Path folder = chunkRoot.resolve(dir);
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path f : files) {
                Matcher m = CHUNK.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long checkpoint = Long.parseLong(m.group(1));
                String relative = dir + "/" + f.getFileName();
                if (checkpoint > restoredCheckpoint && !referenced.contains(relative)) {
                    LOG.info(
                            "Model {}: removing staged chunk {} from an attempt after checkpoint {}",
                            output.model(),
                            f,
                            restoredCheckpoint);
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
