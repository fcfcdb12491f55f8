package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.DuckDBErrorClassifier;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.sink.internal.CommitGauges;
import io.github.flinkduckdb.sink.internal.Payloads;
import io.github.flinkduckdb.sink.internal.ScratchFiles;
import io.github.flinkduckdb.sink.internal.TargetTable;
import io.github.flinkduckdb.sink.internal.TargetTransaction;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies committables to the target after their checkpoint completed: rows and the committable's
 * marker in one transaction, skipping committables whose marker is already there (a replay after
 * restore or savepoint resume). Flink routes every committable to one committer subtask, so one
 * process writes the database; the others never open it.
 *
 * <p>A failure that retries cannot fix fails the job without dropping the committable: it stays in
 * Flink state and is applied after the restart.
 */
@Internal
final class DuckDBCommitter implements Committer<DuckDBCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBCommitter.class);

    private final DuckDBSinkConfig config;
    private final int subtask;
    private final Counter committedRows;
    private final Counter commits;
    private final Counter replayedCommittables;
    private final TargetTransaction transaction;

    private Connection connection;
    private TargetTable target;
    private DuckDBTableSchema targetSchema;
    private boolean swept;

    DuckDBCommitter(DuckDBSinkConfig config, SinkCommitterMetricGroup metrics, int subtask) {
        this.config = config;
        this.subtask = subtask;
        this.committedRows = metrics.counter("committedRows");
        this.commits = metrics.counter("commits");
        this.replayedCommittables = metrics.counter("skippedReplayedCommittables");
        this.transaction = new TargetTransaction(new CommitGauges(metrics));
    }

    @Override
    public void commit(Collection<CommitRequest<DuckDBCommittable>> requests)
            throws java.io.IOException, InterruptedException {
        // Appends of one checkpoint go in together: one transaction (one WAL sync) instead of one
        // per committable, each still guarded by its own marker. Upserts stay one transaction per
        // committable, in order: each reduces its changes by key on its own, and one key deleted
        // and re-inserted by several committables in one transaction is a case not tested here.
        List<CommitRequest<DuckDBCommittable>> appends = new ArrayList<>();
        for (CommitRequest<DuckDBCommittable> request : requests) {
            if (request.getCommittable().upsertKey().isEmpty()) {
                appends.add(request);
            } else {
                commitTogether(Collections.singletonList(request));
            }
        }
        if (!appends.isEmpty()) {
            commitTogether(appends);
        }
        if (config.releaseBetweenCommits) {
            // Other processes may open the file until the next checkpoint's commit.
            closeConnection();
        }
    }

    private void commitTogether(List<CommitRequest<DuckDBCommittable>> requests)
            throws java.io.IOException, InterruptedException {
        List<DuckDBCommittable> committables = new ArrayList<>(requests.size());
        long rows = 0;
        for (CommitRequest<DuckDBCommittable> request : requests) {
            committables.add(request.getCommittable());
            rows += request.getCommittable().rowCount();
        }
        String what = describe(committables);
        Set<String> skipped;
        try {
            skipped =
                    config.retryPolicy.run(
                            "Committing " + what + " to table " + config.table,
                            () -> apply(committables));
        } catch (InterruptedException e) {
            throw e;
        } catch (DuckDBSinkException e) {
            throw e;
        } catch (Exception e) {
            Exception clean =
                    e instanceof SQLException ? config.connection.scrub((SQLException) e) : e;
            throw new DuckDBSinkException(
                    "Committing "
                            + rows
                            + " rows ("
                            + what
                            + ") to table "
                            + config.table
                            + " in "
                            + config.connection.describe()
                            + " failed; the rows stay in Flink's checkpoint and are committed after the job restarts: "
                            + clean.getMessage(),
                    clean);
        }
        for (CommitRequest<DuckDBCommittable> request : requests) {
            if (skipped.contains(request.getCommittable().id())) {
                request.signalAlreadyCommitted();
            }
        }
    }

    private static String describe(List<DuckDBCommittable> committables) {
        if (committables.size() == 1) {
            DuckDBCommittable c = committables.get(0);
            return "committable " + c.id() + " from subtask " + c.subtask();
        }
        Set<Integer> subtasks = new TreeSet<>();
        for (DuckDBCommittable c : committables) {
            subtasks.add(c.subtask());
        }
        return committables.size()
                + " committables from subtasks "
                + subtasks
                + ", first "
                + committables.get(0).id();
    }

    /**
     * Applies the committables in one transaction; returns the ids of those already applied
     * (skipped).
     */
    private Set<String> apply(List<DuckDBCommittable> committables) throws Exception {
        ensureOpen();
        List<Payloads.Opened> payloads = new ArrayList<>(committables.size());
        try {
            List<TargetTransaction.StagedRelation> relations = new ArrayList<>(committables.size());
            for (DuckDBCommittable c : committables) {
                Payloads.Opened payload = Payloads.open(connection, c.format(), c.payload());
                payloads.add(payload);
                relations.add(relation(c, payload.relation()));
            }
            TargetTransaction.Outcome outcome =
                    transaction.apply(target, relations, this::ensureColumn);
            for (DuckDBCommittable c : committables) {
                if (outcome.skipped.contains(c.id())) {
                    replayedCommittables.inc();
                    LOG.info("Skipping {}: already committed to {}", c, config.table);
                }
            }
            if (outcome.committed) {
                committedRows.inc(outcome.rows);
                commits.inc();
            }
            return outcome.skipped;
        } catch (Exception e) {
            if (DuckDBErrorClassifier.isRetriable(e)) {
                // Reconnect on the next attempt: the lock holder may have gone, the file may be
                // back.
                for (Payloads.Opened payload : payloads) {
                    payload.close();
                }
                payloads.clear();
                closeConnection();
            }
            throw e;
        } finally {
            for (Payloads.Opened payload : payloads) {
                payload.close();
            }
        }
    }

    /** One committable's rows, to insert or upsert with its marker. */
    private TargetTransaction.StagedRelation relation(DuckDBCommittable c, String relation) {
        List<String> names = new ArrayList<>();
        List<String> expressions = new ArrayList<>();
        for (ColumnSchema column : c.columns()) {
            String quoted = SqlIdentifiers.quote(column.name());
            names.add(quoted);
            expressions.add("s." + quoted);
        }
        return new TargetTransaction.StagedRelation(
                relation,
                c.columns(),
                names,
                expressions,
                c.hasBatchIdColumn() ? SqlIdentifiers.quote(TargetTable.BATCH_COLUMN) : null,
                c.upsertKey(),
                TargetTable.upsertStrategy(targetSchema.primaryKey(), c.upsertKey()),
                new TargetTable.CommitMarker(
                        c.id(), c.jobId(), c.subtask(), c.attempt(), c.sequence()));
    }

    private void ensureColumn(ColumnSchema column) throws SQLException {
        if (targetSchema.indexOf(column.name()) >= 0) {
            return;
        }
        targetSchema =
                DuckDBTableSchemaReader.read(connection, target.identifier()).orElse(targetSchema);
        if (targetSchema.indexOf(column.name()) >= 0) {
            return;
        }
        if (config.unknownColumnPolicy == UnknownColumnPolicy.EVOLVE) {
            target.addColumnIfMissing(column);
            LOG.info("Added column {} {} to table {}", column.name(), column.type(), config.table);
            return;
        }
        throw new DuckDBSinkException(
                "Table "
                        + target.identifier()
                        + " has no column '"
                        + column.name()
                        + "' ("
                        + column.type()
                        + ") that the staged rows carry; add it to the table (the job's schema and the table's differ)");
    }

    private void ensureOpen() throws Exception {
        if (connection != null) {
            return;
        }
        if (!swept) {
            // Once per committer: with releaseBetweenCommits the file is reopened every commit.
            ScratchFiles.sweepOrphans();
            swept = true;
        }
        DuckDBConnectionProvider options = config.connection;
        Connection c = options.open();
        try {
            targetSchema =
                    TargetTable.ensureTable(
                            c,
                            DuckDBTableSchemaReader.resolve(c, config.table),
                            config.createTableSql,
                            options.describe(),
                            config.retryPolicy);
            TargetTable t = new TargetTable(c, targetSchema.identifier());
            t.ensureMarkerTables(config.batchDeduplication);
            connection = c;
            target = t;
            LOG.info(
                    "DuckDB committer {} opened {} for table {}",
                    subtask,
                    options.describe(),
                    targetSchema.identifier());
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the DuckDB connection failed", e);
            }
            connection = null;
            target = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
