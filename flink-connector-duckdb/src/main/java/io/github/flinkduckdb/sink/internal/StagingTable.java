package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.Internal;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The writer's buffer: a DuckDB table in memory that rows are appended to with DuckDB's appender.
 * It lives in an in-memory database attached to the target connection (direct writes) or in a
 * private in-memory database (committer path, where the writer never opens the target). A failed
 * flush leaves it intact, so the rows can be retried.
 *
 * <p>All methods run on the task thread: DuckDB's appender is confined to the thread that created
 * it.
 */
@Internal
public final class StagingTable implements AutoCloseable {

    private final DuckDBConnection connection;
    private final boolean ownsConnection;
    private final String catalog;
    private final String table;
    private final List<ColumnPlan> plans;

    /** {@link #plans} as an array, and each column's type when appended natively (else null). */
    private ColumnPlan[] planArray;

    private DuckDBType.Id[] nativeIds;
    private final List<ColumnSchema> systemColumns;
    private boolean[] stagedDefault;
    private DuckDBAppender appender;
    private boolean inTransaction;
    private long rows;
    private long bytes;

    private StagingTable(
            DuckDBConnection connection,
            boolean ownsConnection,
            String catalog,
            String table,
            List<ColumnPlan> plans,
            List<ColumnSchema> systemColumns) {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.catalog = catalog;
        this.table = table;
        this.plans = new ArrayList<>(plans);
        indexPlans();
        this.systemColumns = new ArrayList<>(systemColumns);
        this.stagedDefault = new boolean[plans.size()];
    }

    /**
     * A staging table in a private in-memory database with the given DuckDB settings (memory limit,
     * threads, temp directory).
     */
    public static StagingTable inPrivateDatabase(
            List<ColumnPlan> plans,
            List<ColumnSchema> systemColumns,
            java.util.Map<String, String> settings)
            throws SQLException {
        DuckDBConnection c = DuckDBDriverConnections.inMemory().unwrap(DuckDBConnection.class);
        try (Statement st = c.createStatement()) {
            for (java.util.Map.Entry<String, String> e : settings.entrySet()) {
                st.execute(
                        "SET "
                                + SqlIdentifiers.quote(e.getKey())
                                + " = "
                                + SqlIdentifiers.literal(e.getValue()));
            }
            String catalog;
            try (ResultSet rs = st.executeQuery("SELECT current_database()")) {
                rs.next();
                catalog = rs.getString(1);
            }
            StagingTable t =
                    new StagingTable(c, true, catalog, "staged_rows", plans, systemColumns);
            t.create();
            return t;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * A staging table in an in-memory database attached to {@code target} under {@code alias}, so
     * one {@code INSERT ... SELECT} moves its rows into the target database.
     */
    public static StagingTable attachedTo(
            Connection target,
            String alias,
            List<ColumnPlan> plans,
            List<ColumnSchema> systemColumns)
            throws SQLException {
        DuckDBConnection c = target.unwrap(DuckDBConnection.class);
        try (Statement st = c.createStatement()) {
            st.execute("ATTACH ':memory:' AS " + SqlIdentifiers.quote(alias));
        }
        StagingTable t = new StagingTable(c, false, alias, "staged_rows", plans, systemColumns);
        try {
            t.create();
        } catch (SQLException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void create() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(createSql(table, true));
        } catch (SQLException e) {
            // A default that cannot be evaluated outside the target (a sequence, a macro) is left
            // to the target: such columns are then left out of the INSERT when no row sets them.
            java.util.Arrays.fill(stagedDefault, false);
            try (Statement st = connection.createStatement()) {
                st.execute(createSql(table, false));
            }
        }
        appender = newAppender();
    }

    private DuckDBAppender newAppender() throws SQLException {
        DuckDBAppender a = connection.createAppender(catalog, "main", table);
        // Flink calls a writer from one thread at a time, but not always the same thread (a
        // legacy source's thread and the task thread take turns under the checkpoint lock); the
        // background flusher never touches appenders.
        a.unsafeBreakThreadConfinement();
        return a;
    }

    private String createSql(String name, boolean withDefaults) {
        if (stagedDefault.length < plans.size()) {
            stagedDefault = java.util.Arrays.copyOf(stagedDefault, plans.size() * 2);
        }
        StringBuilder sb = new StringBuilder("CREATE TABLE ").append(qualified(name)).append(" (");
        for (int i = 0; i < plans.size(); i++) {
            ColumnPlan p = plans.get(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(p.quotedName()).append(' ').append(p.stagingTypeSql());
            boolean staged = false;
            if (withDefaults && p.mode() == ColumnPlan.Mode.NATIVE) {
                String def = p.target().defaultExpression().orElse(null);
                if (def != null && !def.trim().isEmpty()) {
                    sb.append(" DEFAULT (").append(def).append(')');
                    staged = true;
                }
            }
            stagedDefault[i] = staged;
        }
        for (ColumnSchema s : systemColumns) {
            sb.append(", ")
                    .append(SqlIdentifiers.quote(s.name()))
                    .append(' ')
                    .append(s.type().toSql());
        }
        return sb.append(')').toString();
    }

    /** {@code "catalog"."main"."table"}. */
    public String qualifiedName() {
        return qualified(table);
    }

    private String qualified(String name) {
        return SqlIdentifiers.quote(catalog) + ".\"main\"." + SqlIdentifiers.quote(name);
    }

    public DuckDBConnection connection() {
        return connection;
    }

    /**
     * The appender, inside an open staging transaction. Without one, DuckDB commits every chunk of
     * 2,048 appended rows on its own; one transaction per flush is about 1.3x faster.
     */
    public DuckDBAppender appender() throws SQLException {
        if (!inTransaction) {
            try (Statement st = connection.createStatement()) {
                st.execute("BEGIN TRANSACTION");
            }
            inTransaction = true;
        }
        return appender;
    }

    /** Commits the staging transaction, so the target transaction that follows is separate. */
    private void commitStaged() throws SQLException {
        if (inTransaction) {
            try (Statement st = connection.createStatement()) {
                st.execute("COMMIT");
            }
            inTransaction = false;
        }
    }

    private void rollbackStaged() {
        if (inTransaction) {
            inTransaction = false;
            try (Statement st = connection.createStatement()) {
                st.execute("ROLLBACK");
            } catch (SQLException e) {
                // the connection is going away or the transaction is gone already
            }
        }
    }

    public List<ColumnPlan> plans() {
        return Collections.unmodifiableList(plans);
    }

    private void indexPlans() {
        planArray = plans.toArray(new ColumnPlan[0]);
        nativeIds = new DuckDBType.Id[planArray.length];
        for (int i = 0; i < planArray.length; i++) {
            ColumnPlan p = planArray[i];
            nativeIds[i] = p.mode() == ColumnPlan.Mode.NATIVE ? p.type().id() : null;
        }
    }

    /** The column plans as an array, for the per-value path; not to be modified. */
    ColumnPlan[] planArray() {
        return planArray;
    }

    /**
     * Each column's type when the appender takes its values natively, else null; not to be
     * modified.
     */
    DuckDBType.Id[] nativeIds() {
        return nativeIds;
    }

    public List<ColumnSchema> systemColumns() {
        return Collections.unmodifiableList(systemColumns);
    }

    /** Whether column {@code i} has its default evaluated in staging. */
    public boolean hasStagedDefault(int i) {
        return stagedDefault[i];
    }

    public long rows() {
        return rows;
    }

    public long estimatedBytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return rows == 0;
    }

    void rowAppended(long rowBytes) {
        rows++;
        bytes += rowBytes;
    }

    /**
     * Moves buffered appender rows into the staging table and commits them there; afterwards no
     * transaction is open on the connection.
     */
    public void flushAppender() throws SQLException {
        appender.flush();
        commitStaged();
    }

    /** Adds a column (schema evolution); rows staged before get NULL. */
    public void addColumn(ColumnPlan plan) throws SQLException {
        flushAppender();
        appender.close();
        List<String> kept = new ArrayList<>();
        for (ColumnPlan p : plans) {
            kept.add(p.quotedName());
        }
        for (ColumnSchema s : systemColumns) {
            kept.add(SqlIdentifiers.quote(s.name()));
        }
        plans.add(plan);
        indexPlans();
        // The appender fills columns in table order and system columns come last, so the table
        // is rebuilt with the new column before them.
        String rebuilt = table + "_evolved";
        try (Statement st = connection.createStatement()) {
            try {
                st.execute(createSql(rebuilt, true));
            } catch (SQLException e) {
                java.util.Arrays.fill(stagedDefault, false);
                st.execute(createSql(rebuilt, false));
            }
            String columns = String.join(", ", kept);
            st.execute(
                    "INSERT INTO "
                            + qualified(rebuilt)
                            + " ("
                            + columns
                            + ") SELECT "
                            + columns
                            + " FROM "
                            + qualifiedName());
            st.execute("DROP TABLE " + qualifiedName());
            st.execute(
                    "ALTER TABLE "
                            + qualified(rebuilt)
                            + " RENAME TO "
                            + SqlIdentifiers.quote(table));
        }
        appender = newAppender();
    }

    /** Empties the table (drops and re-creates it, which frees its memory at once). */
    public void reset() throws SQLException {
        if (appender != null && !appender.isClosed()) {
            appender.close();
        }
        rollbackStaged();
        try (Statement st = connection.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + qualifiedName());
        }
        create();
        rows = 0;
        bytes = 0;
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        try {
            if (appender != null && !appender.isClosed()) {
                appender.close();
            }
        } catch (SQLException e) {
            failure = e;
        }
        rollbackStaged();
        try {
            if (ownsConnection) {
                connection.close();
            } else if (!connection.isClosed()) {
                try (Statement st = connection.createStatement()) {
                    st.execute("DETACH DATABASE IF EXISTS " + SqlIdentifiers.quote(catalog));
                }
            }
        } catch (SQLException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
