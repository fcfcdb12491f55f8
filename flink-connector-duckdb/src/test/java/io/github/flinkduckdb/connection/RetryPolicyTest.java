package io.github.flinkduckdb.connection;

import io.github.flinkduckdb.testing.DatabaseLockHolder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RetryPolicy} against real DuckDB errors: transient ones retried, the rest thrown at once.
 */
class RetryPolicyTest {

    @TempDir Path dir;

    @Test
    void retriesALockUntilTheOtherProcessLetsGo() throws Exception {
        Path file = dir.resolve("held.duckdb");
        DuckDBConnectionProvider options = DuckDBConnectionProvider.of("jdbc:duckdb:" + file);
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger lockFailures = new AtomicInteger();
        DatabaseLockHolder holder = DatabaseLockHolder.hold(file);
        CompletableFuture<Void> release =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                // Released only after two attempts have failed on the lock, so a
                                // third attempt is the one that gets through.
                                while (lockFailures.get() < 2) {
                                    Thread.sleep(20);
                                }
                                holder.close();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        try {
            long rows =
                    RetryPolicy.withMaxRetries(8)
                            .run(
                                    "Opening " + options.describe(),
                                    () -> {
                                        attempts.incrementAndGet();
                                        try (Connection c = options.open();
                                                Statement st = c.createStatement()) {
                                            return st.executeLargeUpdate(
                                                    "CREATE TABLE t AS SELECT 1 AS x");
                                        } catch (SQLException e) {
                                            lockFailures.incrementAndGet();
                                            throw e;
                                        }
                                    });
            assertThat(rows).isEqualTo(1);
            assertThat(attempts.get()).isGreaterThanOrEqualTo(3);
        } finally {
            release.get(30, TimeUnit.SECONDS);
            holder.close();
        }
    }

    @Test
    void throwsABinderErrorAtOnce() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        // A retry would wait 10 minutes: the test would time out.
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMinutes(10), Duration.ofMinutes(10));
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INTEGER)");
            assertThatThrownBy(
                            () ->
                                    policy.run(
                                            "Selecting",
                                            () -> {
                                                attempts.incrementAndGet();
                                                return st.execute("SELECT missing FROM t");
                                            }))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Binder Error")
                    .hasMessageContaining("missing");
        }
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void givesUpAfterMaxRetriesWithTheLastError() throws Exception {
        Path file = dir.resolve("held.duckdb");
        DuckDBConnectionProvider options = DuckDBConnectionProvider.of("jdbc:duckdb:" + file);
        AtomicInteger attempts = new AtomicInteger();
        RetryPolicy policy = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20));
        try (DatabaseLockHolder holder = DatabaseLockHolder.hold(file)) {
            assertThatThrownBy(
                            () ->
                                    policy.run(
                                            "Opening",
                                            () -> {
                                                attempts.incrementAndGet();
                                                return options.open();
                                            }))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Could not set lock on file");
        }
        assertThat(attempts.get()).isEqualTo(3);
    }
}
