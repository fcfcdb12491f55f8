package io.github.flinkduckdb.connection;

import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.testing.DatabaseLockHolder;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every row of {@link DuckDBErrorClassifier}' table, provoked with a real DuckDB. */
class DuckDBErrorClassifierTest {

    @TempDir Path dir;

    private static SQLException sqlFailure(ThrowingCallable call) {
        return catchThrowableOfType(SQLException.class, call);
    }

    @Test
    void lockHeldByAnotherProcessIsTransient() throws Exception {
        Path file = dir.resolve("held.duckdb");
        try (DatabaseLockHolder holder = DatabaseLockHolder.hold(file)) {
            SQLException e =
                    sqlFailure(() -> DriverManager.getConnection("jdbc:duckdb:" + file).close());
            assertThat((Throwable) e).hasMessageContaining("Could not set lock on file");
            assertThat(DuckDBErrorClassifier.classify(e)).isEqualTo(DuckDBErrorKind.TRANSIENT);
            assertThat(DuckDBErrorClassifier.isLockConflict(e)).isTrue();
            assertThat(DuckDBErrorClassifier.isConfigurationConflict(e)).isFalse();
        }
    }

    @Test
    void readOnlyOpenOfAFileThisProcessWritesIsTransient() throws Exception {
        Path file = dir.resolve("open.duckdb");
        DuckDBConnectionProvider options = DuckDBConnectionProvider.of("jdbc:duckdb:" + file);
        try (Connection writing = options.open()) {
            java.util.Properties readOnly = new java.util.Properties();
            readOnly.setProperty("duckdb.read_only", "true");
            SQLException e =
                    sqlFailure(
                            () -> DuckDBDriverConnections.connect(options.url(), readOnly).close());
            assertThat(DuckDBErrorClassifier.isConfigurationConflict(e))
                    .as(e.getMessage())
                    .isTrue();
            assertThat(DuckDBErrorClassifier.classify(e)).isEqualTo(DuckDBErrorKind.TRANSIENT);
            assertThat(DuckDBErrorClassifier.isLockConflict(e)).isFalse();
        }
    }

    @Test
    void aFileAnotherInstanceOfThisProcessHasAttachedIsTransient() throws Exception {
        Path file = dir.resolve("attached.duckdb");
        try (Connection writing = DriverManager.getConnection("jdbc:duckdb:" + file);
                Connection inMemory = DriverManager.getConnection("jdbc:duckdb:");
                Statement st = inMemory.createStatement()) {
            SQLException e =
                    sqlFailure(
                            () ->
                                    st.execute(
                                            "ATTACH "
                                                    + SqlIdentifiers.literal(file.toString())
                                                    + " AS other"));
            assertThat((Throwable) e).hasMessageContaining("Unique file handle conflict");
            assertThat(DuckDBErrorClassifier.classify(e)).isEqualTo(DuckDBErrorKind.TRANSIENT);
            assertThat(DuckDBErrorClassifier.isLockConflict(e)).isFalse();
            assertThat(DuckDBErrorClassifier.isConfigurationConflict(e)).isFalse();
        }
    }

    /**
     * DuckDB shuts an instance down when its last connection closes; an open of the same file in
     * another thread of the process during that shutdown fails with a file handle conflict (about
     * 2% of opens here). Retried, every open succeeds.
     */
    @Test
    void opensRacingTheLastCloseOfTheFileSucceedWhenRetried() throws Exception {
        DuckDBConnectionProvider options =
                DuckDBConnectionProvider.of("jdbc:duckdb:" + dir.resolve("race.duckdb"));
        try (Connection c = options.open();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (x INTEGER)");
        }
        RetryPolicy retries = new RetryPolicy(10, Duration.ofMillis(1), Duration.ofMillis(20));
        int opensPerThread = 500;
        AtomicLong reads = new AtomicLong();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Runnable openAndClose =
                () -> {
                    for (int i = 0; i < opensPerThread; i++) {
                        try (Connection c = retries.run("Opening", options::open);
                                Statement st = c.createStatement();
                                ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                            rs.next();
                            reads.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    }
                };
        Thread first = new Thread(openAndClose, "open-and-close-1");
        Thread second = new Thread(openAndClose, "open-and-close-2");
        first.start();
        second.start();
        first.join();
        second.join();
        assertThat(failures).isEmpty();
        assertThat(reads.get()).isEqualTo(2L * opensPerThread);
    }

    @Test
    void twoTransactionsUpdatingOneRowConflictTransiently() throws Exception {
        Path file = dir.resolve("rows.duckdb");
        DuckDBTestDatabase.at(file)
                .execute(
                        "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)",
                        "INSERT INTO t VALUES (1, 0)");
        try (Connection a = DriverManager.getConnection("jdbc:duckdb:" + file);
                Connection b = ((org.duckdb.DuckDBConnection) a).duplicate();
                Statement sa = a.createStatement();
                Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            sa.execute("UPDATE t SET v = 1 WHERE id = 1");
            SQLException e = sqlFailure(() -> sb.execute("UPDATE t SET v = 2 WHERE id = 1"));
            assertThat((Throwable) e).hasMessageContaining("Conflict on");
            assertThat(DuckDBErrorClassifier.classify(e)).isEqualTo(DuckDBErrorKind.TRANSIENT);
        }
    }

    @Test
    void twoTransactionsCreatingOneTableConflictTransiently() throws Exception {
        try (Connection a = DriverManager.getConnection("jdbc:duckdb:");
                Connection b = ((org.duckdb.DuckDBConnection) a).duplicate();
                Statement sa = a.createStatement();
                Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            sa.execute("CREATE TABLE t (id INTEGER)");
            // The second creator learns of the first one's uncommitted table at once.
            SQLException e = sqlFailure(() -> sb.execute("CREATE TABLE t (id INTEGER)"));
            assertThat((Throwable) e).hasMessageContaining("write-write conflict");
            assertThat(DuckDBErrorClassifier.classify(e)).isEqualTo(DuckDBErrorKind.TRANSIENT);
        }
    }

    @Test
    void errorsOfTheStatementOrItsValuesArePermanent() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL)");
            st.execute("INSERT INTO t VALUES (1, 'a')");
            assertPermanent(c, "SELECT missing FROM t", "Binder Error");
            assertPermanent(c, "SELECT * FROM no_such_table", "Catalog Error");
            assertPermanent(c, "SELEC 1", "Parser Error");
            assertPermanent(c, "INSERT INTO t VALUES (1, 'b')", "Constraint Error");
            assertPermanent(c, "INSERT INTO t VALUES (2, NULL)", "Constraint Error");
            assertPermanent(c, "SELECT CAST('x' AS INTEGER)", "Conversion Error");
            assertPermanent(c, "SELECT CAST(300 AS TINYINT)", "Conversion Error");
            // Not in the table by name: the default for what the table does not know.
            assertPermanent(c, "SELECT 9223372036854775807::BIGINT + 1", "Out of Range Error");
        }
    }

    private static void assertPermanent(Connection c, String sql, String expected)
            throws SQLException {
        SQLException e;
        // DuckDB's driver closes a statement that failed: one statement per attempt.
        try (Statement st = c.createStatement()) {
            e = sqlFailure(() -> st.execute(sql));
        }
        assertThat((Throwable) e).as(sql).hasMessageContaining(expected);
        assertThat(DuckDBErrorClassifier.classify(e))
                .as(e.getMessage())
                .isEqualTo(DuckDBErrorKind.PERMANENT);
        assertThat(DuckDBErrorClassifier.isRetriable(e)).isFalse();
        assertThat(DuckDBErrorClassifier.isPermanent(e)).isTrue();
    }

    @Test
    void aMissingFileIsFatalNotTransient() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement st = c.createStatement()) {
            SQLException e =
                    sqlFailure(
                            () ->
                                    st.execute(
                                            "COPY (SELECT 1) TO '"
                                                    + dir.resolve("no-such-folder/out.csv")
                                                    + "'"));
            assertThat((Throwable) e)
                    .hasMessageContaining("IO Error")
                    .hasMessageContaining("No such file");
            assertThat(DuckDBErrorClassifier.classify(e)).isEqualTo(DuckDBErrorKind.FATAL);
        }
    }

    @Test
    void aClosedConnectionIsFatal() throws Exception {
        Connection c = DriverManager.getConnection("jdbc:duckdb:");
        c.close();
        SQLException e = sqlFailure(() -> c.createStatement());
        assertThat(DuckDBErrorClassifier.classify(e))
                .as(e.getMessage())
                .isEqualTo(DuckDBErrorKind.FATAL);
    }

    @Test
    void theOutermostKnownMessageOfTheCauseChainDecides() throws Exception {
        SQLException binder;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement st = c.createStatement()) {
            binder = sqlFailure(() -> st.execute("SELECT missing"));
        }
        assertThat(DuckDBErrorClassifier.classify(new RuntimeException("writing batch b1", binder)))
                .isEqualTo(DuckDBErrorKind.PERMANENT);
        assertThat(DuckDBErrorClassifier.classify(new RuntimeException(null, null)))
                .isEqualTo(DuckDBErrorKind.PERMANENT);
    }
}
