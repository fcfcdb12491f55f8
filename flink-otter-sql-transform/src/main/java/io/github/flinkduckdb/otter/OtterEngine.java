package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageOutcome;
import io.github.flinkduckdb.otter.internal.TransformPlan;
import io.github.flinkduckdb.otter.internal.TransformRunner;

import org.apache.flink.annotation.PublicEvolving;

import java.io.IOException;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an {@link OtterTransform}'s models on lists of messages in an in-process DuckDB, without
 * Flink: what {@code otter test} uses to show a model's rows for a fixture, and what benchmarks use
 * to measure the transform. The Flink operator runs the same code.
 *
 * <p>{@link #process} parses the messages (strictly, against the incoming schema), loads them as
 * rows of one table, runs each row-local model once for all of them and maps each output row back
 * to its message by row id, and runs every other model once per message against the view {@code
 * incoming} of that message's row. The result equals running every model on each message alone. A
 * batched query that fails (a model failing for one message) is split in halves until the failing
 * messages run alone; they become dead letters and the rest keep their rows.
 *
 * <p>Not thread-safe: create, use and close an engine on one thread.
 */
@PublicEvolving
public final class OtterEngine implements AutoCloseable {

    private final TransformRunner runner;

    private OtterEngine(TransformRunner runner) {
        this.runner = runner;
    }

    /**
     * Opens an engine that spills (if it must) to a new folder below {@code java.io.tmpdir}, or
     * below the transform's configured temp directory; the folder is removed on close.
     */
    public static OtterEngine open(OtterTransform transform) throws SQLException, IOException {
        TransformPlan plan = transform.plan();
        String base =
                plan.duckdbSettings().tempDirectory() != null
                        ? plan.duckdbSettings().tempDirectory()
                        : System.getProperty("java.io.tmpdir");
        return new OtterEngine(TransformRunner.open(plan, Paths.get(base), 0));
    }

    /** The models' names, in order (the index of {@link OtterResult#rows(int)}). */
    public List<String> modelNames() {
        return runner.modelNames();
    }

    /** Batched model queries run so far. */
    public long batchedRuns() {
        return runner.batchedRuns();
    }

    /** Batched queries that failed and were split to isolate failing messages. */
    public long batchSplits() {
        return runner.batchSplits();
    }

    /** Model runs on a single message so far. */
    public long perMessageRuns() {
        return runner.perMessageRuns();
    }

    /**
     * Runs every model on {@code messages}.
     *
     * @param firstMessageNumber the number of the first message (numbers go into dead letters)
     * @return one result per message, in order
     * @throws SQLException when DuckDB itself fails (not a model failing for a message)
     */
    public List<OtterResult> process(List<OtterMessage> messages, long firstMessageNumber)
            throws SQLException {
        List<MessageOutcome> outcomes = runner.process(messages, firstMessageNumber);
        List<OtterResult> results = new ArrayList<>(outcomes.size());
        for (MessageOutcome outcome : outcomes) {
            results.add(new OtterResult(outcome));
        }
        return results;
    }

    @Override
    public void close() throws SQLException {
        runner.close();
    }
}
