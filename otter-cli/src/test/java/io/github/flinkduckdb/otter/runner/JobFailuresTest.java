package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;

import org.apache.flink.util.ExceptionUtils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures sorted by kind and described in one line, from stack traces of real errors as Flink's
 * exception history renders them ({@link ExceptionUtils#stringifyException}); and the run's restart
 * budget over such histories.
 */
class JobFailuresTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    /** A file where the Parquet output folder belongs, as the writer reports it. */
    private String parquetFolderIsAFile() throws IOException {
        Path folder = dir.resolve("parquet");
        Files.writeString(folder, "a file");
        try {
            Files.createDirectories(folder.resolve("orders"));
            throw new AssertionError("created a folder under a file");
        } catch (IOException e) {
            IOException named =
                    new IOException(
                            JobFailures.PARQUET_OUTPUT
                                    + "orders: publishing roll r1 failed: "
                                    + e.getClass().getSimpleName()
                                    + " "
                                    + e.getMessage(),
                            e);
            return ExceptionUtils.stringifyException(
                    new RuntimeException("Error while confirming checkpoint", named));
        }
    }

    private static String duckdbFailure(String... statements) throws SQLException {
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
            throw new AssertionError("no failure");
        } catch (SQLException e) {
            return ExceptionUtils.stringifyException(
                    new IOException("Committing to DuckDB table orders failed", e));
        }
    }

    @Test
    void aFileWhereTheOutputFolderBelongsIsAnOutageNamingTheOutput() throws Exception {
        String trace = parquetFolderIsAFile();
        JobFailures.Failure f =
                new JobFailures.Failure(1, "java.lang.RuntimeException", "Parquet: orders", trace);
        assertThat(f.kind()).isEqualTo(JobFailures.Kind.OUTAGE);
        assertThat(f.reason())
                .startsWith("parquet output orders: publishing roll r1 failed: ")
                .contains(dir.resolve("parquet").toString());
    }

    @Test
    void aValueATableRefusesIsPermanent() throws Exception {
        String trace =
                duckdbFailure(
                        "CREATE TABLE orders (order_id BIGINT CHECK (order_id < 100))",
                        "INSERT INTO orders VALUES (100)");
        JobFailures.Failure f =
                new JobFailures.Failure(1, "java.io.IOException", "DuckDB: orders", trace);
        assertThat(f.kind()).isEqualTo(JobFailures.Kind.PERMANENT);
        assertThat(f.reason()).startsWith("task 'DuckDB: orders': ").contains("Constraint Error");
    }

    @Test
    void aStackFrameInTheFileSystemDoesNotMakeAnOutage() {
        IllegalStateException e = new IllegalStateException("the enumerator lost a reader");
        e.setStackTrace(
                new StackTraceElement[] {
                    new StackTraceElement("java.nio.file.Files", "move", "Files.java", 1422)
                });
        String trace = ExceptionUtils.stringifyException(e);
        assertThat(trace).contains("at java.nio.file.Files.move");
        JobFailures.Failure f = new JobFailures.Failure(1, "", "Source: RabbitMQ", trace);
        assertThat(f.kind()).isEqualTo(JobFailures.Kind.OTHER);
        assertThat(f.reason())
                .isEqualTo(
                        "task 'Source: RabbitMQ': java.lang.IllegalStateException: the enumerator"
                                + " lost a reader");
    }

    @Test
    void theHistoryIsReadOldestFirst() throws Exception {
        List<JobFailures.Failure> failures =
                JobFailures.parse(history(entry(30, "b"), entry(10, "a"), entry(20, "c")));
        assertThat(failures)
                .extracting(JobFailures.Failure::timestamp)
                .containsExactly(10L, 20L, 30L);
        assertThat(JobFailures.parse(JSON.readTree("{}"))).isEmpty();
    }

    @Test
    void outagesNeverEndTheRunOtherFailuresCountAndPermanentOnesEndItAtOnce() throws Exception {
        String outage = parquetFolderIsAFile();
        String other = ExceptionUtils.stringifyException(new IllegalStateException("reader lost"));
        String permanent =
                duckdbFailure(
                        "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES ('not a number')");

        RestartBudget budget = new RestartBudget(2);
        List<ObjectNode> entries = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            entries.add(entry(200 + i, outage));
        }
        assertThat(budget.observe(history(entries))).isEmpty();
        assertThat(budget.outages()).isEqualTo(20);
        assertThat(budget.others()).isZero();

        entries.add(entry(300, other));
        entries.add(entry(301, other));
        assertThat(budget.observe(history(entries))).isEmpty();
        assertThat(budget.observe(history(entries))).as("each failure counts once").isEmpty();
        assertThat(budget.others()).isEqualTo(2);
        entries.add(entry(302, other));
        Optional<String> end = budget.observe(history(entries));
        assertThat(end)
                .hasValueSatisfying(
                        r ->
                                assertThat(r)
                                        .startsWith(
                                                "gave up after 3 failures (--max-restarts 2); the last: ")
                                        .contains("reader lost"));

        RestartBudget unbounded = new RestartBudget(-1);
        assertThat(unbounded.observe(history(entry(1, other), entry(2, other)))).isEmpty();
        assertThat(unbounded.observe(history(entry(3, permanent))))
                .hasValueSatisfying(
                        r ->
                                assertThat(r)
                                        .startsWith("an error a retry cannot fix: ")
                                        .contains("Conversion Error"));
    }

    private static ObjectNode entry(long timestamp, String trace) {
        ObjectNode e = JSON.createObjectNode();
        e.put("timestamp", timestamp);
        e.put("exceptionName", trace.lines().findFirst().orElse(""));
        e.put("taskName", "t");
        e.put("stacktrace", trace);
        return e;
    }

    private static JsonNode history(ObjectNode... entries) {
        return history(List.of(entries));
    }

    private static JsonNode history(List<ObjectNode> entries) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putObject("exceptionHistory").putArray("entries");
        entries.forEach(list::add);
        return root;
    }
}
