package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.internal.analysis.ModelAnalyzer;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the models of a transform without a declared incoming schema, with Otter's semantics: each
 * message is typed alone ({@link IncomingSchema#inferFromMessage}), and its rows are those of the
 * models run on that message alone.
 *
 * <p>A batch is split by message shape (the common case is one shape); the messages of one shape
 * run together in a {@link MicroBatchRunner} for that shape, micro-batched as with a declared
 * schema. Each shape's models are analyzed (bound, described, given their batched form) when the
 * shape is first seen, and the shape is logged so it can be pinned as {@code incoming.schema}. A
 * model that does not bind against a shape (a column the message lacks) fails for each message of
 * that shape with DuckDB's binder error, as it does on such a message alone. A message that is not
 * a JSON object with fields is a dead letter (stage {@code parse}).
 *
 * <p>At most {@value #MAX_OPEN_SHAPES} shapes keep their DuckDB open (least recently used first
 * out); the analysis of up to {@value #MAX_PLANNED_SHAPES} shapes is kept.
 */
@Internal
public final class SchemaFreeRunner implements TransformRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaFreeRunner.class);

    /**
     * A one-column schema for the DuckDBs that need one without a message: build-time validation,
     * and wording the rejection of a message that has no shape.
     */
    public static final IncomingSchema PLACEHOLDER_SCHEMA =
            IncomingSchema.parse("\"__otter_shape\" JSON");

    static final int MAX_OPEN_SHAPES = 8;
    static final int MAX_PLANNED_SHAPES = 1000;
    private static final int LOGGED_SHAPES = 20;

    private final TransformPlan plan;
    private final Path spillBase;
    private final int subtask;
    private final List<String> modelNames;
    private final MessageNormalizer rejections;
    private final Map<IncomingSchema, MicroBatchRunner> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<IncomingSchema, List<ModelPlan>> planned =
            new LinkedHashMap<>(16, 0.75f, true);

    private long shapesSeen;
    private long batchedRunsBefore;
    private long batchSplitsBefore;
    private long perMessageRunsBefore;

    SchemaFreeRunner(TransformPlan plan, Path spillBase, int subtask) {
        if (!plan.isSchemaFree()) {
            throw new IllegalArgumentException("The plan has a declared incoming schema");
        }
        this.plan = plan;
        this.spillBase = spillBase;
        this.subtask = subtask;
        this.modelNames = plan.modelNames();
        // Only to word the rejection of a message without a shape like a declared schema's would.
        this.rejections = new MessageNormalizer(PLACEHOLDER_SCHEMA, plan.jsonLimits());
    }

    @Override
    public List<String> modelNames() {
        return modelNames;
    }

    @Override
    public long batchedRuns() {
        long n = batchedRunsBefore;
        for (MicroBatchRunner r : open.values()) {
            n += r.batchedRuns();
        }
        return n;
    }

    @Override
    public long batchSplits() {
        long n = batchSplitsBefore;
        for (MicroBatchRunner r : open.values()) {
            n += r.batchSplits();
        }
        return n;
    }

    @Override
    public long perMessageRuns() {
        long n = perMessageRunsBefore;
        for (MicroBatchRunner r : open.values()) {
            n += r.perMessageRuns();
        }
        return n;
    }

    /** Distinct message shapes seen so far (each analyzed once while it stays planned). */
    public long shapesSeen() {
        return shapesSeen;
    }

    @Override
    public List<MessageOutcome> process(List<OtterMessage> messages, long firstMessageNumber)
            throws SQLException {
        int n = messages.size();
        MessageOutcome[] outcomes = new MessageOutcome[n];
        Map<IncomingSchema, List<Integer>> byShape = new LinkedHashMap<>();
        int maxBytes = plan.maxMessageBytes();
        for (int i = 0; i < n; i++) {
            byte[] payload = messages.get(i).getPayload();
            String rejection = null;
            IncomingSchema shape = null;
            if (payload == null) {
                rejection = "the message has no payload";
            } else if (maxBytes > 0 && payload.length > maxBytes) {
                rejection =
                        "the message has "
                                + payload.length
                                + " bytes, more than the limit of "
                                + maxBytes;
            } else {
                try {
                    shape = IncomingSchema.inferFromMessage(payload);
                } catch (IllegalArgumentException e) {
                    rejection = rejection(payload, e.getMessage());
                }
            }
            if (shape == null) {
                MessageOutcome failed =
                        new MessageOutcome(
                                messages.get(i),
                                firstMessageNumber + i,
                                subtask,
                                modelNames.size(),
                                null,
                                null);
                failed.failParse(rejection);
                outcomes[i] = failed;
            } else {
                byShape.computeIfAbsent(shape, s -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<IncomingSchema, List<Integer>> group : byShape.entrySet()) {
            List<Integer> indices = group.getValue();
            List<OtterMessage> some = new ArrayList<>(indices.size());
            long[] numbers = new long[indices.size()];
            for (int k = 0; k < indices.size(); k++) {
                some.add(messages.get(indices.get(k)));
                numbers[k] = firstMessageNumber + indices.get(k);
            }
            List<MessageOutcome> done = runnerFor(group.getKey()).process(some, numbers);
            for (int k = 0; k < indices.size(); k++) {
                outcomes[indices.get(k)] = done.get(k);
            }
        }
        return Arrays.asList(outcomes);
    }

    /** The normalizer's wording where it rejects the message too (invalid JSON, limits). */
    private String rejection(byte[] payload, String reason) {
        try {
            rejections.normalize(payload);
        } catch (MessageRejectedException e) {
            return e.getMessage();
        }
        return reason;
    }

    private MicroBatchRunner runnerFor(IncomingSchema shape) throws SQLException {
        MicroBatchRunner runner = open.get(shape);
        if (runner != null) {
            return runner;
        }
        List<ModelPlan> models = planned.get(shape);
        if (models == null) {
            models = analyze(shape);
            if (planned.size() >= MAX_PLANNED_SHAPES) {
                Iterator<IncomingSchema> eldest = planned.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            planned.put(shape, models);
        }
        if (open.size() >= MAX_OPEN_SHAPES) {
            Iterator<Map.Entry<IncomingSchema, MicroBatchRunner>> eldest =
                    open.entrySet().iterator();
            MicroBatchRunner closing = eldest.next().getValue();
            eldest.remove();
            batchedRunsBefore += closing.batchedRuns();
            batchSplitsBefore += closing.batchSplits();
            perMessageRunsBefore += closing.perMessageRuns();
            closing.close();
        }
        try {
            runner = MicroBatchRunner.open(plan.forShape(shape, models), spillBase, subtask);
        } catch (IOException e) {
            throw new SQLException(
                    "Cannot create a spill folder below " + spillBase + ": " + e.getMessage(), e);
        }
        open.put(shape, runner);
        return runner;
    }

    /** Analyzes every model for one shape, as the builder does for a declared schema. */
    private List<ModelPlan> analyze(IncomingSchema shape) throws SQLException {
        shapesSeen++;
        List<ModelPlan> models = new ArrayList<>(modelNames.size());
        int unbound = 0;
        try (OtterDatabase db = OtterDatabase.open(shape, plan.duckdbSettings(), null, true)) {
            ModelAnalyzer analyzer =
                    new ModelAnalyzer(
                            db.connection(),
                            plan.duckdbSettings().externalAccess(),
                            plan.batchByMessage());
            for (OtterModel model : plan.schemaFreeModels()) {
                try {
                    models.add(analyzer.analyze(model, plan.declaredOutput(model.name())));
                } catch (OtterModelException e) {
                    unbound++;
                    String what =
                            e.problem() == OtterModelException.Problem.BINDING
                                            && e.duckdbMessage().isPresent()
                                    ? "Model "
                                            + model.describe()
                                            + " does not bind against this message: "
                                            + e.duckdbMessage().get()
                                    : e.getMessage();
                    models.add(
                            ModelPlan.unbound(
                                    model,
                                    what
                                            + " (the message typed alone: "
                                            + shape.columnDefinitions()
                                            + ")"));
                }
            }
        }
        if (shapesSeen <= LOGGED_SHAPES) {
            LOG.info(
                    "Message shape {} (subtask {}): incoming ({}){}; pin it as incoming.schema to"
                            + " type every message alike",
                    shapesSeen,
                    subtask,
                    shape.columnDefinitions(),
                    unbound == 0 ? "" : "; " + unbound + " model(s) do not bind against it");
        } else if (shapesSeen == LOGGED_SHAPES + 1) {
            LOG.warn(
                    "More than {} message shapes (subtask {}): messages of many shapes run in"
                            + " small batches; declaring incoming.schema types them alike",
                    LOGGED_SHAPES,
                    subtask);
        }
        return models;
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        for (MicroBatchRunner r : open.values()) {
            try {
                r.close();
            } catch (SQLException e) {
                failure = failure == null ? e : failure;
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
