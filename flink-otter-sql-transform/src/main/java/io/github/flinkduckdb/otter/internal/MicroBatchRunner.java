package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.connection.DuckDBErrorClassifier;
import io.github.flinkduckdb.connection.DuckDBErrorKind;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.model.ModelAnalysis;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a transform's models on lists of messages in one in-process DuckDB: the core of the Flink
 * operator and of {@code OtterEngine}.
 *
 * <p>{@link #process} parses the messages (strictly, against the incoming schema), loads them as
 * rows of one table, runs each row-local model once for all of them and maps each output row back
 * to its message by row id, runs each model that is not row-local but has a by-message form once
 * for all of them too (each message's rows computed separately), and runs every other model once
 * per message against the view {@code incoming} of that message's row. The result equals running
 * every model on each message alone.
 *
 * <p>When DuckDB fails internally running a model's by-message form (an {@code INTERNAL Error},
 * which invalidates its database), the runner logs it, opens a new DuckDB in which that model runs
 * per message, and runs the batch again: the run goes on, slower for that model.
 *
 * <p>Not thread-safe: use an instance from one thread at a time.
 */
@Internal
public final class MicroBatchRunner implements TransformRunner {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchRunner.class);

    private final TransformPlan plan;
    private final int subtask;
    private final List<String> modelNames;
    private final Path spillFolder;
    private final List<ModelAnalysis> analyses;

    /** Models whose by-message form failed inside DuckDB: they run per message from then on. */
    private final Set<Integer> perMessageOnly = new HashSet<>();

    private Session session;
    private long batchedRunsBefore;
    private long batchSplitsBefore;
    private long perMessageRunsBefore;

    private MicroBatchRunner(TransformPlan plan, Path spillFolder, int subtask)
            throws SQLException {
        this.plan = plan;
        this.subtask = subtask;
        this.modelNames = plan.modelNames();
        List<ModelAnalysis> list = new ArrayList<>(plan.models().size());
        for (ModelPlan model : plan.models()) {
            list.add(model.analysis());
        }
        this.analyses = Collections.unmodifiableList(list);
        this.spillFolder = spillFolder;
        this.session = new Session(plan, spillFolder, perMessageOnly);
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
    @Override
    public List<String> modelNames() {
        return modelNames;
    }

    /** Batched model queries run so far. */
    @Override
    public long batchedRuns() {
        long n = batchedRunsBefore;
        for (ModelRunner m : session.models) {
            n += m.batchedRuns();
        }
        return n;
    }

    /** Batched queries that failed and were split to isolate failing messages. */
    @Override
    public long batchSplits() {
        long n = batchSplitsBefore;
        for (ModelRunner m : session.models) {
            n += m.batchSplits();
        }
        return n;
    }

    /** Model runs on a single message so far. */
    @Override
    public long perMessageRuns() {
        long n = perMessageRunsBefore;
        for (ModelRunner m : session.models) {
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
    @Override
    public List<MessageOutcome> process(List<OtterMessage> messages, long firstMessageNumber)
            throws SQLException {
        long[] numbers = new long[messages.size()];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = firstMessageNumber + i;
        }
        return process(messages, numbers);
    }

    /**
     * Runs every model on {@code messages}.
     *
     * @param messageNumbers the number of each message (numbers go into dead letters)
     * @return one outcome per message, in order
     * @throws SQLException when DuckDB itself fails (not a model failing for a message)
     */
    public List<MessageOutcome> process(List<OtterMessage> messages, long[] messageNumbers)
            throws SQLException {
        while (true) {
            try {
                return processOnce(messages, messageNumbers);
            } catch (ByMessageFailure f) {
                String name = modelNames.get(f.model);
                LOG.error(
                        "Model '{}': DuckDB failed internally running its by-message form ({});"
                                + " it runs once per message from now on, in a new DuckDB, and"
                                + " this batch runs again",
                        name,
                        f.getCause().getMessage());
                perMessageOnly.add(f.model);
                replaceSession();
            }
        }
    }

    private void replaceSession() throws SQLException {
        batchedRunsBefore = batchedRuns();
        batchSplitsBefore = batchSplits();
        perMessageRunsBefore = perMessageRuns();
        Session old = session;
        session = null;
        try {
            old.close();
        } catch (SQLException e) {
            LOG.debug("Closing the invalidated DuckDB failed", e);
        }
        session = new Session(plan, spillFolder, perMessageOnly);
    }

    private List<MessageOutcome> processOnce(List<OtterMessage> messages, long[] messageNumbers)
            throws SQLException {
        int n = messages.size();
        List<MessageOutcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(
                    new MessageOutcome(
                            messages.get(i),
                            messageNumbers[i],
                            subtask,
                            modelNames.size(),
                            plan.incomingSchema(),
                            analyses));
        }
        MessageLoader loader = session.loader;
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
        boolean clear = true;
        try {
            if (loaded.length > 0) {
                runModels(outcomes, loaded, loader.positions(loaded));
            }
        } catch (ByMessageFailure f) {
            // The database is invalidated: nothing to clear.
            clear = false;
            throw f;
        } finally {
            if (clear) {
                loader.clear();
            }
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
        List<ModelRunner> models = session.models;
        for (int i = 0; i < models.size(); i++) {
            ModelRunner model = models.get(i);
            if (runsBatched(model)) {
                try {
                    model.runBatched(outcomes, loaded, positions, 0, loaded.length - 1);
                } catch (SQLException e) {
                    if (model.runsByMessage()
                            && DuckDBErrorClassifier.classify(e) == DuckDBErrorKind.FATAL
                            && String.valueOf(e.getMessage()).contains("INTERNAL Error")) {
                        throw new ByMessageFailure(i, e);
                    }
                    throw e;
                }
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
        try {
            if (session != null) {
                session.close();
            }
        } finally {
            SpillFolder.delete(spillFolder);
        }
    }

    /** A by-message form that DuckDB failed to run internally; its database is invalidated. */
    private static final class ByMessageFailure extends SQLException {
        private static final long serialVersionUID = 1L;

        final int model;

        ByMessageFailure(int model, SQLException cause) {
            super(cause.getMessage(), cause);
            this.model = model;
        }
    }

    /** One DuckDB with its loader, view and model statements. */
    private static final class Session implements AutoCloseable {
        final OtterDatabase database;
        final MessageLoader loader;
        final IncomingView incoming;
        final List<ModelRunner> models;

        Session(TransformPlan plan, Path spillFolder, Set<Integer> perMessageOnly)
                throws SQLException {
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
                            new ModelRunner(
                                    i,
                                    plan.models().get(i),
                                    database.connection(),
                                    incoming,
                                    !perMessageOnly.contains(i)));
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
                        failure =
                                e instanceof SQLException ? (SQLException) e : new SQLException(e);
                    }
                }
            }
            try {
                database.close();
            } catch (SQLException e) {
                failure = failure == null ? e : failure;
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
