package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.connection.DuckDBErrorClassifier;
import io.github.flinkduckdb.otter.OtterStage;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.types.Row;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one model on a loaded batch: as written on one message (the reference), or, for a model that
 * runs batched, once over a range of the batch (row-local: the model over the range; otherwise: the
 * model for each message of the range) with each output row mapped back to its message by row id. A
 * batched query that fails is split in halves until the failing messages run alone as written; they
 * become dead letters and the rest keep their rows.
 */
final class ModelRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRunner.class);

    private final int index;
    private final ModelAnalysis analysis;
    private final IncomingView incoming;
    private final ModelRowReader reader;
    private final ReusableStatement single;
    private final ReusableStatement batch;
    private final String unboundError;

    private long batchedRuns;
    private long batchSplits;
    private long perMessageRuns;

    /**
     * @param batched false runs the model per message even when it has a batched form
     */
    ModelRunner(
            int index,
            ModelPlan plan,
            Connection connection,
            IncomingView incoming,
            boolean batched)
            throws SQLException {
        this.index = index;
        this.analysis = plan.analysis();
        this.incoming = incoming;
        this.reader = new ModelRowReader(analysis);
        this.unboundError = plan.unboundError().orElse(null);
        if (unboundError != null) {
            this.single = null;
            this.batch = null;
            return;
        }
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
            single.close();
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
        this.batch = batched ? prepareBatched(plan, connection) : null;
        warnAboutNestedTimestamps(analysis);
    }

    private static ReusableStatement prepareBatched(ModelPlan plan, Connection connection) {
        if (!plan.batchSql().isPresent()) {
            return null;
        }
        try {
            return new ReusableStatement(connection, plan.batchSql().get());
        } catch (SQLException e) {
            LOG.warn(
                    "Model {}: the batched form does not bind in the operator's DuckDB ({});"
                            + " running it per message",
                    plan.analysis().model().describe(),
                    e.getMessage());
            return null;
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

    String name() {
        return analysis.name();
    }

    /** Whether the model has a batched form that binds (row-local or by message). */
    boolean canRunBatched() {
        return batch != null;
    }

    /** Whether the model runs batched by message (not row-local, with a batched form). */
    boolean runsByMessage() {
        return batch != null && !analysis.isRowLocal();
    }

    long batchedRuns() {
        return batchedRuns;
    }

    long batchSplits() {
        return batchSplits;
    }

    long perMessageRuns() {
        return perMessageRuns;
    }

    /**
     * Runs the batched query over the loaded positions {@code lo..hi}; splits on failure.
     *
     * @param loaded the index in {@code outcomes} of the message at each position
     */
    void runBatched(
            List<MessageOutcome> outcomes, int[] loaded, BatchPositions positions, int lo, int hi)
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
            if (!DuckDBErrorClassifier.isPermanent(e)) {
                throw new SQLException(
                        "DuckDB failed running model '"
                                + name()
                                + "' on messages "
                                + outcomes.get(loaded[lo]).messageNumber()
                                + ".."
                                + outcomes.get(loaded[hi]).messageNumber()
                                + ": "
                                + e.getMessage(),
                        e);
            }
            if (lo == hi) {
                // The reference: the model as written on this message alone.
                runSingle(outcomes.get(loaded[lo]), positions.rowId(lo));
                return;
            }
            batchSplits++;
            int mid = (lo + hi) >>> 1;
            runBatched(outcomes, loaded, positions, lo, mid);
            runBatched(outcomes, loaded, positions, mid + 1, hi);
            return;
        }
        for (int i = 0; i < badPositions.size(); i++) {
            outcomes.get(loaded[badPositions.get(i)])
                    .failModel(index, OtterStage.CONVERT, name(), badReasons.get(i));
        }
        for (int i = 0; i < rows.size(); i++) {
            outcomes.get(loaded[rowPositions.get(i)]).addRow(index, rows.get(i));
        }
    }

    /** Runs the model as written on the message whose row id is {@code rowId}. */
    void runSingle(MessageOutcome outcome, long rowId) throws SQLException {
        if (unboundError != null) {
            outcome.failModel(index, OtterStage.TRANSFORM, name(), unboundError);
            return;
        }
        incoming.show(rowId);
        perMessageRuns++;
        List<Row> rows = new ArrayList<>();
        try (ResultSet rs = single.get().executeQuery()) {
            while (rs.next()) {
                try {
                    rows.add(reader.read(rs));
                } catch (ModelRowReader.RowConversionException e) {
                    outcome.failModel(index, OtterStage.CONVERT, name(), e.getMessage());
                    return;
                }
            }
        } catch (SQLException e) {
            if (!DuckDBErrorClassifier.isPermanent(e)) {
                throw new SQLException(
                        "DuckDB failed running model '"
                                + name()
                                + "' on message "
                                + outcome.messageNumber()
                                + ": "
                                + e.getMessage(),
                        e);
            }
            outcome.failModel(index, OtterStage.TRANSFORM, name(), e.getMessage());
            return;
        }
        for (Row row : rows) {
            outcome.addRow(index, row);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            if (single != null) {
                single.close();
            }
        } finally {
            if (batch != null) {
                batch.close();
            }
        }
    }
}
