package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterMessage;

import org.apache.flink.annotation.Internal;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/**
 * Runs a transform's models on lists of messages: {@link MicroBatchRunner} for a declared incoming
 * schema, {@link SchemaFreeRunner} when each message is typed alone. Not thread-safe.
 */
@Internal
public interface TransformRunner extends AutoCloseable {

    /**
     * Opens the runner the plan needs; its DuckDB spills below {@code spillBase}.
     *
     * @param subtask the subtask index put into dead-letter records
     */
    static TransformRunner open(TransformPlan plan, Path spillBase, int subtask)
            throws SQLException, IOException {
        return plan.isSchemaFree()
                ? new SchemaFreeRunner(plan, spillBase, subtask)
                : MicroBatchRunner.open(plan, spillBase, subtask);
    }

    /** The models' names, in order (the index of {@link MessageOutcome#rows(int)}). */
    List<String> modelNames();

    /** Batched model queries run so far. */
    long batchedRuns();

    /** Batched queries that failed and were split to isolate failing messages. */
    long batchSplits();

    /** Model runs on a single message so far. */
    long perMessageRuns();

    /**
     * Runs every model on {@code messages}.
     *
     * @param firstMessageNumber the number of the first message (numbers go into dead letters)
     * @return one outcome per message, in order
     * @throws SQLException when DuckDB itself fails (not a model failing for a message)
     */
    List<MessageOutcome> process(List<OtterMessage> messages, long firstMessageNumber)
            throws SQLException;

    @Override
    void close() throws SQLException;
}
