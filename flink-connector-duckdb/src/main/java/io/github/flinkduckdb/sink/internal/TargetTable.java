package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.connection.DuckDBErrorClassifier;
import io.github.flinkduckdb.connection.RetryPolicy;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.BookkeepingTables;
import io.github.flinkduckdb.sink.DuckDBSinkException;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The table the sink writes to, on an open connection: creates it when missing, keeps the marker
 * tables, and moves staged rows in with one {@code INSERT ... SELECT} per transaction.
 *
 * <p>Two marker tables sit next to the target (same catalog and schema): {@link
 * BookkeepingTables#COMMITS_TABLE} holds the id of every applied committable, so a committable
 * replayed after a restore is skipped; {@link BookkeepingTables#BATCHES_TABLE} holds committed
 * batch ids when batch de-duplication is on.
 */
@Internal
public final class TargetTable {

    private static final String COMMITS_TABLE = BookkeepingTables.COMMITS_TABLE;
    private static final String BATCHES_TABLE = BookkeepingTables.BATCHES_TABLE;

    /** The staging column holding each row's batch id when de-duplication is on. */
    public static final String BATCH_COLUMN = "__flink_duckdb_batch_id";

    /** Upsert mode: the staging column that is true for a deletion of the row's key. */
    public static final String OP_COLUMN = "__flink_duckdb_op";

    /** Upsert mode: the staging column ordering the changes; the last change of a key wins. */
    public static final String SEQUENCE_COLUMN = "__flink_duckdb_seq";

    private static final String RANK_COLUMN = "__flink_duckdb_rank";

    /** How staged changes reach a table in upsert mode. */
    public enum UpsertStrategy {
        /**
         * The table's primary key is the upsert key: {@code INSERT OR REPLACE} the last upsert of
         * each key (DuckDB finds the old row through the key's index), {@code DELETE} the keys
         * whose last change is a deletion.
         */
        INSERT_OR_REPLACE,
        /**
         * The table has another primary key or none: {@code DELETE} every key of the staged
         * changes, then {@code INSERT} the last upsert of each key.
         */
        DELETE_THEN_INSERT
    }

    private static final Logger LOG = LoggerFactory.getLogger(TargetTable.class);

    private final Connection connection;
    private final TableIdentifier identifier;
    private final String markerKey;

    public TargetTable(Connection connection, TableIdentifier resolvedIdentifier) {
        this.connection = connection;
        this.identifier = resolvedIdentifier;
        this.markerKey =
                (resolvedIdentifier.schema().orElse("main") + "." + resolvedIdentifier.table())
                        .toLowerCase(Locale.ROOT);
    }

    public TableIdentifier identifier() {
        return identifier;
    }

    Connection connection() {
        return connection;
    }

    /**
     * Makes sure the table exists: runs {@code createTableSql} once when it does not, then reads
     * the schema back. Writers of one job may create the table at the same moment: DuckDB then
     * reports a write-write conflict to all but one before that one has committed, so a conflict is
     * retried by {@code retry}, and the next attempt finds the table.
     *
     * @param where a description of the database for messages (never the token)
     */
    public static DuckDBTableSchema ensureTable(
            Connection connection,
            TableIdentifier table,
            String createTableSql,
            String where,
            RetryPolicy retry)
            throws Exception {
        try {
            return retry.run(
                    "Creating table " + table + " in " + where,
                    () -> readOrCreate(connection, table, createTableSql, where));
        } catch (SQLException e) {
            // Retries used up (or none allowed): the other writer may have committed since.
            Optional<DuckDBTableSchema> raced = DuckDBTableSchemaReader.read(connection, table);
            if (raced.isPresent()) {
                return raced.get();
            }
            throw createFailed(table, createTableSql, where, e);
        }
    }

    /** One attempt; a retriable failure of the create statement is thrown as it is. */
    private static DuckDBTableSchema readOrCreate(
            Connection connection, TableIdentifier table, String createTableSql, String where)
            throws SQLException {
        Optional<DuckDBTableSchema> existing = DuckDBTableSchemaReader.read(connection, table);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (createTableSql == null) {
            throw new DuckDBSinkException(
                    "Table "
                            + table
                            + " does not exist in "
                            + where
                            + " and no create-table statement was given; create the table or set one with setCreateTableSql(...)");
        }
        try (Statement st = connection.createStatement()) {
            // A plain Statement, not a prepared one: re-executing some prepared DDL forms crashes
            // DuckDB's JVM process (see docs/architecture.md).
            st.execute(createTableSql);
            LOG.info("Created table {} in {}", table, where);
        } catch (SQLException e) {
            if (DuckDBErrorClassifier.isRetriable(e)) {
                throw e;
            }
            Optional<DuckDBTableSchema> raced = DuckDBTableSchemaReader.read(connection, table);
            if (raced.isPresent()) {
                return raced.get(); // another writer created it first
            }
            throw createFailed(table, createTableSql, where, e);
        }
        return DuckDBTableSchemaReader.read(connection, table)
                .orElseThrow(
                        () ->
                                new DuckDBSinkException(
                                        "The create-table statement ran but table "
                                                + table
                                                + " still does not exist in "
                                                + where
                                                + "; does it create a table of that name? Statement: "
                                                + createTableSql));
    }

    private static DuckDBSinkException createFailed(
            TableIdentifier table, String createTableSql, String where, SQLException e) {
        return new DuckDBSinkException(
                "The create-table statement for table "
                        + table
                        + " in "
                        + where
                        + " failed: "
                        + e.getMessage()
                        + "\nStatement: "
                        + createTableSql,
                e);
    }

    /** Creates the marker tables if missing (outside any data transaction). */
    public void ensureMarkerTables(boolean withBatches) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(
                    "CREATE TABLE IF NOT EXISTS "
                            + marker(COMMITS_TABLE)
                            + " (committable_id VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, "
                            + "job_id VARCHAR, subtask INTEGER, attempt INTEGER, sequence BIGINT, "
                            + "row_count BIGINT, committed_at TIMESTAMP WITH TIME ZONE)");
            if (withBatches) {
                st.execute(
                        "CREATE TABLE IF NOT EXISTS "
                                + marker(BATCHES_TABLE)
                                + " (table_name VARCHAR NOT NULL, batch_id VARCHAR NOT NULL, "
                                + "committed_at TIMESTAMP WITH TIME ZONE, "
                                + "PRIMARY KEY (table_name, batch_id))");
            }
        }
    }

    private String marker(String name) {
        return identifier.sibling(name).toSql();
    }

    /** Whether a committable with this id was already applied. */
    public boolean isCommitted(String committableId) throws SQLException {
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT 1 FROM " + marker(COMMITS_TABLE) + " WHERE committable_id = ?")) {
            ps.setString(1, committableId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The marker row written with a committable's data. */
    public static final class CommitMarker {
        final String committableId;
        final String jobId;
        final int subtask;
        final int attempt;
        final long sequence;

        public CommitMarker(
                String committableId, String jobId, int subtask, int attempt, long sequence) {
            this.committableId = committableId;
            this.jobId = jobId;
            this.subtask = subtask;
            this.attempt = attempt;
            this.sequence = sequence;
        }
    }

    /** {@code <verb> <table> (<columns>) SELECT <expressions> FROM }, the relation to follow. */
    private String insertSelect(
            String verb, List<String> targetColumns, List<String> selectExpressions) {
        return verb
                + identifier.toSql()
                + " ("
                + String.join(", ", targetColumns)
                + ") SELECT "
                + String.join(", ", selectExpressions)
                + " FROM ";
    }

    /**
     * Inserts staged rows inside the caller's transaction.
     *
     * @param from the staged relation, e.g. a table name or {@code read_parquet('...')}
     * @param targetColumns quoted target column names
     * @param selectExpressions one expression over alias {@code s} per target column
     * @param batchColumn the quoted staged batch-id column when de-duplicating, else null
     * @param marker the commit marker to write in the same transaction, or null
     * @return rows inserted
     */
    public long insert(
            String from,
            List<String> targetColumns,
            List<String> selectExpressions,
            String batchColumn,
            CommitMarker marker)
            throws SQLException {
        String notCommitted =
                batchColumn == null
                        ? ""
                        : " WHERE NOT EXISTS (SELECT 1 FROM "
                                + marker(BATCHES_TABLE)
                                + " b WHERE b.table_name = ? AND b.batch_id = s."
                                + batchColumn
                                + ")";
        long inserted;
        try (PreparedStatement ps =
                connection.prepareStatement(
                        insertSelect("INSERT INTO ", targetColumns, selectExpressions)
                                + from
                                + " s"
                                + notCommitted)) {
            if (batchColumn != null) {
                ps.setString(1, markerKey);
            }
            inserted = ps.executeUpdate();
        }
        if (batchColumn != null) {
            try (PreparedStatement ps =
                    connection.prepareStatement(
                            "INSERT INTO "
                                    + marker(BATCHES_TABLE)
                                    + " (table_name, batch_id, committed_at) SELECT DISTINCT ?, s."
                                    + batchColumn
                                    + ", now() FROM "
                                    + from
                                    + " s WHERE s."
                                    + batchColumn
                                    + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                                    + marker(BATCHES_TABLE)
                                    + " b WHERE b.table_name = ? AND b.batch_id = s."
                                    + batchColumn
                                    + ")")) {
                ps.setString(1, markerKey);
                ps.setString(2, markerKey);
                ps.executeUpdate();
            }
        }
        if (marker != null) {
            writeMarker(marker, inserted);
        }
        return inserted;
    }

    private void writeMarker(CommitMarker marker, long rows) throws SQLException {
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "INSERT INTO "
                                + marker(COMMITS_TABLE)
                                + " (committable_id, table_name, job_id, subtask, attempt, sequence, row_count, committed_at) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?, now())")) {
            ps.setString(1, marker.committableId);
            ps.setString(2, markerKey);
            ps.setString(3, marker.jobId);
            ps.setInt(4, marker.subtask);
            ps.setInt(5, marker.attempt);
            ps.setLong(6, marker.sequence);
            ps.setLong(7, rows);
            ps.executeUpdate();
        }
    }

    /**
     * The strategy for a table with primary key {@code tablePrimaryKey} (empty for none) and sink
     * key {@code upsertKey}: {@code INSERT OR REPLACE} only when both are the same columns.
     */
    public static UpsertStrategy upsertStrategy(
            List<String> tablePrimaryKey, List<String> upsertKey) {
        java.util.Set<String> pk = new java.util.HashSet<>();
        for (String k : tablePrimaryKey) {
            pk.add(k.toLowerCase(Locale.ROOT));
        }
        java.util.Set<String> uk = new java.util.HashSet<>();
        for (String k : upsertKey) {
            uk.add(k.toLowerCase(Locale.ROOT));
        }
        return !pk.isEmpty() && pk.equals(uk)
                ? UpsertStrategy.INSERT_OR_REPLACE
                : UpsertStrategy.DELETE_THEN_INSERT;
    }

    /**
     * Applies staged changes by key inside the caller's transaction, set-based: the changes are
     * reduced to the last one per key (by {@link #SEQUENCE_COLUMN}), because DuckDB rejects
     * changing one key twice in one statement; keys whose last change is a deletion ({@link
     * #OP_COLUMN}) are deleted, the others replaced.
     *
     * @param from the staged relation (with the op and sequence columns)
     * @param targetColumns quoted target column names
     * @param selectExpressions one expression over alias {@code s} per target column
     * @param keyColumns the upsert key (unquoted names; each must be among {@code targetColumns})
     * @param marker the commit marker to write in the same transaction, or null
     * @return rows written (upserted)
     */
    public long upsert(
            String from,
            List<String> targetColumns,
            List<String> selectExpressions,
            List<String> keyColumns,
            UpsertStrategy strategy,
            CommitMarker marker)
            throws SQLException {
        List<String> keyExpressions = new java.util.ArrayList<>();
        List<String> keyTargets = new java.util.ArrayList<>();
        for (String key : keyColumns) {
            String quoted = SqlIdentifiers.quote(key);
            int index = -1;
            for (int i = 0; i < targetColumns.size(); i++) {
                if (targetColumns.get(i).equalsIgnoreCase(quoted)) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                throw new DuckDBSinkException(
                        "Upsert key column '"
                                + key
                                + "' of table "
                                + identifier
                                + " has no value in the staged rows; the key must be a column of the table and be set in every row");
            }
            keyTargets.add(targetColumns.get(index));
            keyExpressions.add(selectExpressions.get(index));
        }
        String op = "s." + SqlIdentifiers.quote(OP_COLUMN);
        String reduced =
                "(SELECT *, row_number() OVER (PARTITION BY "
                        + String.join(", ", keyExpressions)
                        + " ORDER BY s."
                        + SqlIdentifiers.quote(SEQUENCE_COLUMN)
                        + " DESC) AS "
                        + SqlIdentifiers.quote(RANK_COLUMN)
                        + " FROM "
                        + from
                        + " s) s WHERE s."
                        + SqlIdentifiers.quote(RANK_COLUMN)
                        + " = 1";
        StringBuilder keys = new StringBuilder();
        StringBuilder match = new StringBuilder();
        for (int i = 0; i < keyExpressions.size(); i++) {
            String alias = SqlIdentifiers.quote("k" + i);
            keys.append(i > 0 ? ", " : "")
                    .append(keyExpressions.get(i))
                    .append(" AS ")
                    .append(alias);
            match.append(i > 0 ? " AND " : "")
                    .append("t.")
                    .append(keyTargets.get(i))
                    .append(" IS NOT DISTINCT FROM d.")
                    .append(alias);
        }
        // INSERT OR REPLACE: the keys with a deletion among their changes. Deleting a key whose
        // last change re-inserts it is harmless, as the insert below writes it again, and a filter
        // on the operation column costs a scan where the last change per key costs a window.
        String deletedKeys =
                strategy == UpsertStrategy.INSERT_OR_REPLACE
                        ? "SELECT DISTINCT " + keys + " FROM " + from + " s WHERE " + op
                        : "SELECT DISTINCT " + keys + " FROM " + from + " s";
        try (Statement st = connection.createStatement()) {
            st.executeUpdate(
                    "DELETE FROM "
                            + identifier.toSql()
                            + " AS t USING ("
                            + deletedKeys
                            + ") d WHERE "
                            + match);
        }
        long written;
        try (Statement st = connection.createStatement()) {
            written =
                    st.executeUpdate(
                            insertSelect(
                                            strategy == UpsertStrategy.INSERT_OR_REPLACE
                                                    ? "INSERT OR REPLACE INTO "
                                                    : "INSERT INTO ",
                                            targetColumns,
                                            selectExpressions)
                                    + reduced
                                    + " AND NOT "
                                    + op);
        }
        if (marker != null) {
            writeMarker(marker, written);
        }
        return written;
    }

    /** Adds a column if the table lacks it (schema evolution), inside the caller's transaction. */
    public void addColumnIfMissing(ColumnSchema column) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(
                    "ALTER TABLE "
                            + identifier.toSql()
                            + " ADD COLUMN IF NOT EXISTS "
                            + SqlIdentifiers.quote(column.name())
                            + " "
                            + column.type().toSql());
        }
    }

    /** Runs {@code BEGIN TRANSACTION}. Appended rows only join a transaction opened this way. */
    public static void begin(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN TRANSACTION");
        }
    }

    public static void commit(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("COMMIT");
        }
    }

    /** Rolls back, ignoring "no transaction is active" after DuckDB aborted it itself. */
    public static void rollbackQuietly(Connection c, Throwable cause) {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                cause.addSuppressed(e);
            }
        }
    }
}
