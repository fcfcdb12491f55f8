package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterMessage;

import org.apache.flink.annotation.Internal;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a transform's models on lists of messages in one in-process DuckDB: the core of the Flink
 * operator and of {@code OtterEngine}.
 *
 * <p>{@link #process} parses the messages (strictly, against the incoming schema), loads them as
 * rows of one table, runs each row-local model once for all of them and maps each output row back
 * to its message by row id, and runs every other model once per message against the view {@code
 * incoming} of that message's row. The result equals running every model on each message alone.
 *
 * <p>Not thread-safe: use an instance from one thread at a time.
 */
@Internal
public final class MicroBatchRunner implements AutoCloseable {

    private final TransformPlan plan;
    private final int subtask;
    private final List<String> modelNames;
    private final Path spillFolder;
    private final OtterDatabase database;
    private final MessageLoader loader;
    private final IncomingView incoming;
    private final List<ModelRunner> models;

    private MicroBatchRunner(TransformPlan plan, Path spillFolder, int subtask)
            throws SQLException {
        this.plan = plan;
        this.subtask = subtask;
        this.modelNames = plan.modelNames();
        this.spillFolder = spillFolder;
        this.database =
                OtterDatabase.open(plan.incomingSchema(), plan.duckdbSettings(), spillFolder);
        this.models = new ArrayList<>(plan.models().size());
        MessageLoader loader = null;
        IncomingView incoming = null;
        try {
            loader =
                    new MessageLoader(
                            database.connection(),
                            plan.incomingSchema(),
                            plan.maxMessageBytes(),
                            plan.jsonLimits());
            incoming = new IncomingView(database.connection());
            for (int i = 0; i < plan.models().size(); i++) {
                models.add(
                        new ModelRunner(i, plan.models().get(i), database.connection(), incoming));
            }
        } catch (SQLException | RuntimeException e) {
            try {
                // Closing the connection closes its statements and appender.
                database.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.loader = loader;
        this.incoming = incoming;
    }

    /**
     * Opens a runner whose DuckDB spills to a new folder below {@code spillBase}, removed on close.
     *
     * @param subtask the subtask index put into dead-letter records
     */
    public static MicroBatchRunner open(TransformPlan plan, Path spillBase, int subtask)
            throws SQLException, IOException {
        Path folder = SpillFolder.create(spillBase);
        try {
            return new MicroBatchRunner(plan, folder, subtask);
        } catch (SQLException | RuntimeException e) {
            SpillFolder.delete(folder);
            throw e;
        }
    }

    /** The models' names, in order (the index of {@link MessageOutcome#rows(int)}). */
    public List<String> modelNames() {
        return modelNames;
    }

    /** Batched model queries run so far. */
    public long batchedRuns() {
        long n = 0;
        for (ModelRunner m : models) {
            n += m.batchedRuns();
        }
        return n;
    }

    /** Batched queries that failed and were split to isolate failing messages. */
    public long batchSplits() {
        long n = 0;
        for (ModelRunner m : models) {
            n += m.batchSplits();
        }
        return n;
    }

    /** Model runs on a single message so far. */
    public long perMessageRuns() {
        long n = 0;
        for (ModelRunner m : models) {
            n += m.perMessageRuns();
        }
        return n;
    }

    /**
     * Runs every model on {@code messages}.
     *
     * @param firstMessageNumber the number of the first message (numbers go into dead letters)
     * @return one outcome per message, in order
     * @throws SQLException when DuckDB itself fails (not a model failing for a message)
     */
    public List<MessageOutcome> process(List<OtterMessage> messages, long firstMessageNumber)
            throws SQLException {
        int n = messages.size();
        List<MessageOutcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(
                    new MessageOutcome(
                            messages.get(i), firstMessageNumber + i, subtask, models.size()));
        }
        String[] docs = loader.parse(messages, outcomes);
        int parsed = 0;
        for (String doc : docs) {
            if (doc != null) {
                parsed++;
            }
        }
        if (parsed == 0) {
            return outcomes;
        }
        int[] loaded = loader.load(docs, outcomes, parsed);
        try {
            if (loaded.length > 0) {
                runModels(outcomes, loaded, loader.positions(loaded));
            }
        } finally {
            loader.clear();
        }
        for (MessageOutcome outcome : outcomes) {
            outcome.sortDeadLetters(modelNames);
        }
        return outcomes;
    }

    private boolean runsBatched(ModelRunner model) {
        return model.canRunBatched() && plan.isMicroBatching();
    }

    private void runModels(List<MessageOutcome> outcomes, int[] loaded, BatchPositions positions)
            throws SQLException {
        boolean anyPerMessage = false;
        for (ModelRunner model : models) {
            if (runsBatched(model)) {
                model.runBatched(outcomes, loaded, positions, 0, loaded.length - 1);
            } else {
                anyPerMessage = true;
            }
        }
        if (!anyPerMessage) {
            return;
        }
        for (int p = 0; p < loaded.length; p++) {
            for (ModelRunner model : models) {
                if (!runsBatched(model)) {
                    model.runSingle(outcomes.get(loaded[p]), positions.rowId(p));
                }
            }
        }
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        List<AutoCloseable> parts = new ArrayList<>(models);
        parts.add(loader);
        parts.add(incoming);
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof SQLException ? (SQLException) e : new SQLException(e);
                }
            }
        }
        try {
            database.close();
        } catch (SQLException e) {
            failure = failure == null ? e : failure;
        }
        SpillFolder.delete(spillFolder);
        if (failure != null) {
            throw failure;
        }
    }
}
