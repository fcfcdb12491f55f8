package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.connection.DuckDBErrors;
import io.github.flinkduckdb.otter.internal.MessageNormalizer;
import io.github.flinkduckdb.otter.internal.MessageRejectedException;
import io.github.flinkduckdb.otter.internal.ModelRowReader;
import io.github.flinkduckdb.otter.internal.OtterDatabase;
import io.github.flinkduckdb.otter.internal.ReusableStatement;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.types.Row;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs an {@link OtterTransform}'s models on lists of messages in an in-process DuckDB, without
 * Flink: the core of the Flink operator, and what a tool uses to show a model's rows for a fixture.
 *
 * <p>{@link #process} parses the messages (strictly, against the incoming schema), loads them as
 * rows of one table, runs each row-local model once for all of them and maps each output row back
 * to its message by row id, and runs every other model once per message against the view {@code
 * incoming} of that message's row. The result equals running every model on each message alone. A
 * batched query that fails (a model failing for one message) is split in halves until the failing
 * messages run alone; they become dead letters and the rest keep their rows.
 *
 * <p>Not thread-safe: create, use and close an engine on one thread (DuckDB's appender is confined
 * to the thread that created it).
 */
@PublicEvolving
public final class OtterEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OtterEngine.class);

    private final OtterTransform transform;
    private final int subtask;
    private final Path tempDirectory;
    private final OtterDatabase database;
    private final Connection connection;
    private final MessageNormalizer normalizer;
    private final DuckDBAppender appender;
    private final ReusableStatement loadBatch;
    private final ReusableStatement loadOne;
    private final ReusableStatement setPosition;
    private final Statement plain;
    private final ModelRunner[] models;
    private final List<String> modelNames;

    private long currentPosition = Long.MIN_VALUE;
    private long batchedRuns;
    private long batchSplits;
    private long perMessageRuns;

    private OtterEngine(OtterTransform transform, Path tempDirectory, int subtask)
            throws SQLException {
        this.transform = transform;
        this.subtask = subtask;
        this.tempDirectory = tempDirectory;
        this.database =
                OtterDatabase.open(
                        transform.incomingSchema(), transform.duckdbSettings(), tempDirectory);
        this.connection = database.connection();
        try {
            this.normalizer = new MessageNormalizer(transform.incomingSchema());
            this.appender =
                    connection
                            .unwrap(DuckDBConnection.class)
                            .createAppender(
                                    OtterDatabase.CATALOG,
                                    OtterDatabase.SCHEMA,
                                    OtterDatabase.RAW_TABLE);
            // Flink calls an operator from one thread at a time, but not always the same one:
            // chained after a legacy SourceFunction (e.g. RabbitMQ's RMQSource) records arrive on
            // the source's thread and timers and barriers on the task thread, serialized by the
            // checkpoint lock. DuckDB's appender refuses a second thread unless told otherwise.
            this.appender.unsafeBreakThreadConfinement();
            String structure = SqlIdentifiers.literal(transform.incomingSchema().jsonStructure());
            this.loadBatch =
                    new ReusableStatement(
                            connection,
                            "INSERT INTO "
                                    + OtterDatabase.QUALIFIED_BATCH
                                    + " SELECT unnest(json_transform_strict(doc, "
                                    + structure
                                    + ")) FROM "
                                    + OtterDatabase.QUALIFIED_RAW
                                    + " ORDER BY seq");
            this.loadOne =
                    new ReusableStatement(
                            connection,
                            "INSERT INTO "
                                    + OtterDatabase.QUALIFIED_BATCH
                                    + " SELECT unnest(json_transform_strict(CAST(? AS VARCHAR), "
                                    + structure
                                    + "))");
            this.setPosition =
                    new ReusableStatement(
                            connection,
                            "SET VARIABLE "
                                    + OtterDatabase.POSITION_VARIABLE
                                    + " = CAST(? AS BIGINT)");
            this.plain = connection.createStatement();
            List<ModelAnalysis> analyses = transform.models();
            this.models = new ModelRunner[analyses.size()];
            this.modelNames = new ArrayList<>();
            for (int i = 0; i < analyses.size(); i++) {
                models[i] = new ModelRunner(i, analyses.get(i));
                modelNames.add(analyses.get(i).name());
                warnAboutNestedTimestamps(analyses.get(i));
            }
        } catch (SQLException | RuntimeException e) {
            try {
                database.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * DuckDB's driver hands TIMESTAMPs inside STRUCT/LIST/MAP values over as {@code
     * java.sql.Timestamp} built in the JVM's time zone, which shifts wall times that fall into a
     * daylight-saving gap of that zone. Top-level columns are read exactly.
     */
    private static void warnAboutNestedTimestamps(ModelAnalysis analysis) {
        if (ZoneId.systemDefault().getRules().isFixedOffset()) {
            return;
        }
        for (ColumnSchema column : analysis.modelColumns()) {
            if (column.type().isNested() && containsTimestamp(column.type())) {
                LOG.warn(
                        "Model {}: column '{}' has TIMESTAMP values inside a nested type; the JVM"
                                + " time zone {} has daylight-saving gaps, and DuckDB's driver"
                                + " shifts nested wall times inside such a gap. Run the TaskManagers"
                                + " with -Duser.timezone=UTC or select such timestamps as columns.",
                        analysis.model().describe(),
                        column.name(),
                        ZoneId.systemDefault());
            }
        }
    }

    private static boolean containsTimestamp(DuckDBType type) {
        switch (type.id()) {
            case TIMESTAMP:
            case TIMESTAMP_S:
            case TIMESTAMP_MS:
            case TIMESTAMP_NS:
                return true;
            default:
                for (DuckDBType.Field f : type.children()) {
                    if (containsTimestamp(f.type())) {
                        return true;
                    }
                }
                return false;
        }
    }

    /**
     * Opens an engine that spills (if it must) to a new folder below {@code java.io.tmpdir}, or
     * below the transform's configured temp directory.
     */
    public static OtterEngine open(OtterTransform transform) throws SQLException, IOException {
        String base =
                transform.duckdbSettings().tempDirectory() != null
                        ? transform.duckdbSettings().tempDirectory()
                        : System.getProperty("java.io.tmpdir");
        return open(transform, Paths.get(base), 0);
    }

    /**
     * Opens an engine whose DuckDB spills to a new folder below {@code tempBase}, removed on close.
     *
     * @param subtask the subtask index put into dead-letter records
     */
    public static OtterEngine open(OtterTransform transform, Path tempBase, int subtask)
            throws SQLException, IOException {
        Path temp = tempBase.resolve("otter-duckdb-" + UUID.randomUUID());
        Files.createDirectories(temp);
        try {
            return new OtterEngine(transform, temp, subtask);
        } catch (SQLException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /** The models' names, in order (the index of {@link OtterResult#rows(int)}). */
    public List<String> modelNames() {
        return modelNames;
    }

    /** Batched model queries run so far. */
    public long batchedRuns() {
        return batchedRuns;
    }

    /** Batched queries that failed and were split to isolate failing messages. */
    public long batchSplits() {
        return batchSplits;
    }

    /** Model runs on a single message so far. */
    public long perMessageRuns() {
        return perMessageRuns;
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
        int n = messages.size();
        List<OtterResult> results = new ArrayList<>(n);
        String[] docs = new String[n];
        int parsed = 0;
        int maxBytes = transform.maxMessageBytes();
        for (int i = 0; i < n; i++) {
            OtterMessage message = messages.get(i);
            OtterResult result = new OtterResult(message, firstMessageNumber + i, models.length);
            results.add(result);
            byte[] payload = message.getPayload();
            if (payload != null && maxBytes > 0 && payload.length > maxBytes) {
                result.fail(
                        -1,
                        deadLetter(
                                result,
                                OtterStage.PARSE,
                                null,
                                "the message has "
                                        + payload.length
                                        + " bytes, more than the limit of "
                                        + maxBytes));
                continue;
            }
            try {
                docs[i] = normalizer.normalize(payload);
                parsed++;
            } catch (MessageRejectedException e) {
                result.fail(-1, deadLetter(result, OtterStage.PARSE, null, e.getMessage()));
            }
        }
        if (parsed == 0) {
            return results;
        }
        int[] loaded = load(docs, results, parsed);
        try {
            if (loaded.length > 0) {
                Positions positions = positions(loaded);
                runModels(results, loaded, positions);
            }
        } finally {
            plain.execute("DELETE FROM " + OtterDatabase.QUALIFIED_BATCH);
        }
        for (OtterResult r : results) {
            r.sortDeadLetters(modelNames);
        }
        return results;
    }

    /** Loads the parsed messages into the batch table; returns their indices in row order. */
    private int[] load(String[] docs, List<OtterResult> results, int parsed) throws SQLException {
        for (int i = 0; i < docs.length; i++) {
            if (docs[i] != null) {
                appender.beginRow();
                appender.append((long) i);
                appender.append(docs[i]);
                appender.endRow();
            }
        }
        appender.flush();
        int[] loaded = new int[parsed];
        try {
            loadBatch.get().execute();
            int k = 0;
            for (int i = 0; i < docs.length; i++) {
                if (docs[i] != null) {
                    loaded[k++] = i;
                }
            }
            return loaded;
        } catch (SQLException e) {
            if (!DuckDBErrors.isPermanent(e)) {
                throw e;
            }
            // One message has a value DuckDB cannot take (a bad timestamp, UUID, ...): load one
            // by one, in order, so the others still get their rows.
            // No DuckDB text in the log: it may quote a value of the message.
            LOG.debug("A message of the batch has a value DuckDB rejects; loading one by one");
            int k = 0;
            for (int i = 0; i < docs.length; i++) {
                if (docs[i] == null) {
                    continue;
                }
                try {
                    PreparedStatement one = loadOne.get();
                    one.setString(1, docs[i]);
                    one.execute();
                    loaded[k++] = i;
                } catch (SQLException one) {
                    if (!DuckDBErrors.isPermanent(one)) {
                        throw one;
                    }
                    OtterResult result = results.get(i);
                    result.fail(-1, deadLetter(result, OtterStage.PARSE, null, one.getMessage()));
                }
            }
            return Arrays.copyOf(loaded, k);
        } finally {
            plain.execute("DELETE FROM " + OtterDatabase.QUALIFIED_RAW);
        }
    }

    /** The row id of each loaded message. */
    private Positions positions(int[] loaded) throws SQLException {
        try (ResultSet rs =
                plain.executeQuery(
                        "SELECT min(rowid), max(rowid), count(*) FROM "
                                + OtterDatabase.QUALIFIED_BATCH)) {
            rs.next();
            long min = rs.getLong(1);
            long max = rs.getLong(2);
            long count = rs.getLong(3);
            if (count != loaded.length) {
                throw new SQLException(
                        "INTERNAL: the batch table has "
                                + count
                                + " rows for "
                                + loaded.length
                                + " messages");
            }
            if (max - min + 1 == count) {
                return new Positions(min, null);
            }
        }
        long[] rowIds = new long[loaded.length];
        try (ResultSet rs =
                plain.executeQuery(
                        "SELECT rowid FROM " + OtterDatabase.QUALIFIED_BATCH + " ORDER BY rowid")) {
            int k = 0;
            while (rs.next()) {
                rowIds[k++] = rs.getLong(1);
            }
        }
        return new Positions(0, rowIds);
    }

    private void runModels(List<OtterResult> results, int[] loaded, Positions positions)
            throws SQLException {
        boolean anyPerMessage = false;
        for (ModelRunner model : models) {
            if (model.batch != null && transform.isMicroBatching()) {
                model.runBatched(results, loaded, positions, 0, loaded.length - 1);
            } else {
                anyPerMessage = true;
            }
        }
        if (!anyPerMessage) {
            return;
        }
        for (int p = 0; p < loaded.length; p++) {
            for (ModelRunner model : models) {
                if (model.batch == null || !transform.isMicroBatching()) {
                    model.runSingle(results.get(loaded[p]), positions.rowId(p));
                }
            }
        }
    }

    private void moveTo(long rowId) throws SQLException {
        if (currentPosition != rowId) {
            PreparedStatement set = setPosition.get();
            set.setLong(1, rowId);
            set.execute();
            currentPosition = rowId;
        }
    }

    private OtterDeadLetter deadLetter(
            OtterResult result, OtterStage stage, String model, String error) {
        return OtterDeadLetter.of(
                result.message(), result.messageNumber(), subtask, stage, model, error);
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        List<AutoCloseable> statements = new ArrayList<>();
        for (ModelRunner model : models) {
            if (model != null) {
                statements.add(model.single);
                statements.add(model.batch);
            }
        }
        statements.addAll(Arrays.asList(loadBatch, loadOne, setPosition, plain, appender));
        for (AutoCloseable st : statements) {
            if (st == null) {
                continue;
            }
            try {
                st.close();
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
        deleteQuietly(tempDirectory);
        if (failure != null) {
            throw failure;
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    LOG.debug("Could not delete {}", p, e);
                                }
                            });
        } catch (IOException e) {
            LOG.debug("Could not delete {}", dir, e);
        }
    }

    /** Row ids of the loaded messages: contiguous from a base, or listed. */
    private static final class Positions {
        final long base;
        final long[] rowIds;

        Positions(long base, long[] rowIds) {
            this.base = base;
            this.rowIds = rowIds;
        }

        long rowId(int position) {
            return rowIds == null ? base + position : rowIds[position];
        }

        int position(long rowId) {
            if (rowIds == null) {
                return (int) (rowId - base);
            }
            return Arrays.binarySearch(rowIds, rowId);
        }
    }

    /** One model's statements and reader. */
    private final class ModelRunner {
        final int index;
        final ModelAnalysis analysis;
        final ModelRowReader reader;
        final ReusableStatement single;
        ReusableStatement batch;

        ModelRunner(int index, ModelAnalysis analysis) throws SQLException {
            this.index = index;
            this.analysis = analysis;
            this.reader = new ModelRowReader(analysis);
            try {
                this.single = new ReusableStatement(connection, analysis.model().sql());
            } catch (SQLException e) {
                throw new SQLException(
                        "Model "
                                + analysis.model().describe()
                                + " does not bind in the operator's DuckDB: "
                                + e.getMessage(),
                        e);
            }
            int columns = single.get().getMetaData().getColumnCount();
            if (columns != reader.modelColumnCount()) {
                throw new SQLException(
                        "Model "
                                + analysis.model().describe()
                                + " returns "
                                + columns
                                + " columns in the operator's DuckDB but "
                                + reader.modelColumnCount()
                                + " when the job was built; build the job with the same DuckDB"
                                + " version");
            }
            if (analysis.batchSql().isPresent()) {
                try {
                    this.batch = new ReusableStatement(connection, analysis.batchSql().get());
                } catch (SQLException e) {
                    LOG.warn(
                            "Model {}: the batched form does not bind in the operator's DuckDB ({});"
                                    + " running it per message",
                            analysis.model().describe(),
                            e.getMessage());
                    this.batch = null;
                }
            }
        }

        String name() {
            return analysis.name();
        }

        /** Runs the batched query over the loaded positions lo..hi; splits on failure. */
        void runBatched(
                List<OtterResult> results, int[] loaded, Positions positions, int lo, int hi)
                throws SQLException {
            List<Row> rows = new ArrayList<>();
            List<Integer> rowPositions = new ArrayList<>();
            List<Integer> badPositions = new ArrayList<>(0);
            List<String> badReasons = new ArrayList<>(0);
            int positionColumn = reader.modelColumnCount() + 1;
            try {
                PreparedStatement ps = batch.get();
                ps.setLong(1, positions.rowId(lo));
                ps.setLong(2, positions.rowId(hi));
                batchedRuns++;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int p = positions.position(rs.getLong(positionColumn));
                        try {
                            rows.add(reader.read(rs));
                            rowPositions.add(p);
                        } catch (ModelRowReader.RowConversionException e) {
                            badPositions.add(p);
                            badReasons.add(e.getMessage());
                        }
                    }
                }
            } catch (SQLException e) {
                if (!DuckDBErrors.isPermanent(e)) {
                    throw new SQLException(
                            "DuckDB failed running model '"
                                    + name()
                                    + "' on messages "
                                    + results.get(loaded[lo]).messageNumber()
                                    + ".."
                                    + results.get(loaded[hi]).messageNumber()
                                    + ": "
                                    + e.getMessage(),
                            e);
                }
                if (lo == hi) {
                    // The reference: the model as written on this message alone.
                    runSingle(results.get(loaded[lo]), positions.rowId(lo));
                    return;
                }
                batchSplits++;
                int mid = (lo + hi) >>> 1;
                runBatched(results, loaded, positions, lo, mid);
                runBatched(results, loaded, positions, mid + 1, hi);
                return;
            }
            for (int i = 0; i < badPositions.size(); i++) {
                OtterResult result = results.get(loaded[badPositions.get(i)]);
                result.fail(
                        index, deadLetter(result, OtterStage.CONVERT, name(), badReasons.get(i)));
            }
            for (int i = 0; i < rows.size(); i++) {
                results.get(loaded[rowPositions.get(i)]).addRow(index, rows.get(i));
            }
        }

        /** Runs the model as written on the message whose row id is {@code rowId}. */
        void runSingle(OtterResult result, long rowId) throws SQLException {
            moveTo(rowId);
            perMessageRuns++;
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = single.get().executeQuery()) {
                while (rs.next()) {
                    try {
                        rows.add(reader.read(rs));
                    } catch (ModelRowReader.RowConversionException e) {
                        result.fail(
                                index,
                                deadLetter(result, OtterStage.CONVERT, name(), e.getMessage()));
                        return;
                    }
                }
            } catch (SQLException e) {
                if (!DuckDBErrors.isPermanent(e)) {
                    throw new SQLException(
                            "DuckDB failed running model '"
                                    + name()
                                    + "' on message "
                                    + result.messageNumber()
                                    + ": "
                                    + e.getMessage(),
                            e);
                }
                result.fail(
                        index, deadLetter(result, OtterStage.TRANSFORM, name(), e.getMessage()));
                return;
            }
            for (Row row : rows) {
                result.addRow(index, row);
            }
        }
    }
}
