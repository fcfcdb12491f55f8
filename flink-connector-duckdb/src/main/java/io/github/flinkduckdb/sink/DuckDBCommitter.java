package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionOptions;
import io.github.flinkduckdb.connection.DuckDBErrors;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableSchema;
import io.github.flinkduckdb.schema.TableSchemaReader;
import io.github.flinkduckdb.sink.internal.Payloads;
import io.github.flinkduckdb.sink.internal.ScratchFiles;
import io.github.flinkduckdb.sink.internal.TargetTable;

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
import java.util.List;

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
    private volatile long lastRowsPerCommit;
    private volatile long lastCommitMillis;

    private Connection connection;
    private TargetTable target;
    private TableSchema targetSchema;

    DuckDBCommitter(DuckDBSinkConfig config, SinkCommitterMetricGroup metrics, int subtask) {
        this.config = config;
        this.subtask = subtask;
        this.committedRows = metrics.counter("committedRows");
        this.commits = metrics.counter("commits");
        this.replayedCommittables = metrics.counter("skippedReplayedCommittables");
        metrics.gauge("rowsPerCommit", () -> lastRowsPerCommit);
        metrics.gauge("commitLatencyMs", () -> lastCommitMillis);
    }

    @Override
    public void commit(Collection<CommitRequest<DuckDBCommittable>> requests)
            throws java.io.IOException, InterruptedException {
        for (CommitRequest<DuckDBCommittable> request : requests) {
            DuckDBCommittable c = request.getCommittable();
            boolean applied;
            try {
                applied =
                        config.retryPolicy.run(
                                "Committing " + c + " to table " + config.table, () -> apply(c));
            } catch (InterruptedException e) {
                throw e;
            } catch (DuckDBSinkException e) {
                throw e;
            } catch (Exception e) {
                Exception clean =
                        e instanceof SQLException ? config.connection.scrub((SQLException) e) : e;
                throw new DuckDBSinkException(
                        "Committing "
                                + c.rowCount()
                                + " rows (committable "
                                + c.id()
                                + " from subtask "
                                + c.subtask()
                                + ") to table "
                                + config.table
                                + " in "
                                + config.connection.describe()
                                + " failed; the rows stay in Flink's checkpoint and are committed after the job restarts: "
                                + clean.getMessage(),
                        clean);
            }
            if (!applied) {
                request.signalAlreadyCommitted();
            }
        }
    }

    /** Returns false when the committable was already applied. */
    private boolean apply(DuckDBCommittable c) throws Exception {
        ensureOpen();
        long started = System.nanoTime();
        try (Payloads.Opened payload = Payloads.open(connection, c.format(), c.payload())) {
            TargetTable.begin(connection);
            try {
                if (target.isCommitted(c.id())) {
                    TargetTable.rollbackQuietly(connection, new Exception());
                    replayedCommittables.inc();
                    LOG.info("Skipping {}: already committed to {}", c, config.table);
                    return false;
                }
                List<String> names = new ArrayList<>();
                List<String> expressions = new ArrayList<>();
                for (ColumnSchema column : c.columns()) {
                    ensureColumn(column);
                    String quoted = SqlIdentifiers.quote(column.name());
                    names.add(quoted);
                    expressions.add("s." + quoted);
                }
                TargetTable.CommitMarker marker =
                        new TargetTable.CommitMarker(
                                c.id(), c.jobId(), c.subtask(), c.attempt(), c.sequence());
                long inserted =
                        c.upsertKey().isEmpty()
                                ? target.insert(
                                        payload.relation(),
                                        names,
                                        expressions,
                                        c.hasBatchIdColumn()
                                                ? SqlIdentifiers.quote(TargetTable.BATCH_COLUMN)
                                                : null,
                                        marker)
                                : target.upsert(
                                        payload.relation(),
                                        names,
                                        expressions,
                                        c.upsertKey(),
                                        TargetTable.upsertStrategy(
                                                targetSchema.primaryKey(), c.upsertKey()),
                                        marker);
                TargetTable.commit(connection);
                committedRows.inc(inserted);
                commits.inc();
                lastRowsPerCommit = inserted;
                lastCommitMillis = (System.nanoTime() - started) / 1_000_000;
                return true;
            } catch (Exception e) {
                TargetTable.rollbackQuietly(connection, e);
                throw e;
            }
        } catch (Exception e) {
            if (DuckDBErrors.isRetriable(e)) {
                // Reconnect on the next attempt: the lock holder may have gone, the file may be
                // back.
                closeConnection();
            }
            throw e;
        }
    }

    private void ensureColumn(ColumnSchema column) throws SQLException {
        if (targetSchema.indexOf(column.name()) >= 0) {
            return;
        }
        targetSchema = TableSchemaReader.read(connection, target.identifier()).orElse(targetSchema);
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
        ScratchFiles.sweepOrphans();
        DuckDBConnectionOptions options = config.connection;
        Connection c = options.open();
        try {
            targetSchema =
                    TargetTable.ensureTable(
                            c,
                            TableSchemaReader.resolve(c, config.table),
                            config.createTableSql,
                            options.describe());
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
