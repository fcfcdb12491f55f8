package io.github.flinkduckdb.table;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** INSERT INTO a duckdb table: append, upsert from changelogs, exactly-once under failure. */
class DuckDBTableSinkITCase {

    /** FLIP-558: on Flink 2.3 this INSERT needs ON CONFLICT (the 2.3 check skips it). */
    private static final String ON_CONFLICT_ON_FLINK_23 = "needs-on-conflict-on-flink-2.3";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SqlTestSupport.miniCluster();

    @TempDir Path dir;

    private String with(Path file, String extra) {
        return " WITH ('connector' = 'duckdb', 'path' = '"
                + SqlTestSupport.sqlPath(file)
                + "'"
                + extra
                + ")";
    }

    @Test
    void insertsRowsFromValuesExactly() throws Exception {
        Path file = dir.resolve("shop.duckdb");
        StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);
        t.executeSql(
                "CREATE TABLE orders (id BIGINT, customer STRING, total DECIMAL(12, 2), placed_at TIMESTAMP(3))"
                        + with(file, ", 'create-table' = 'true'"));
        t.executeSql(
                        "INSERT INTO orders VALUES "
                                + "(1, 'ada', 12.50, TIMESTAMP '2024-05-01 10:00:00.123'), "
                                + "(2, 'bob', 7.25, TIMESTAMP '2024-05-02 11:30:00'), "
                                + "(3, CAST(NULL AS STRING), 0.00, CAST(NULL AS TIMESTAMP(3)))")
                .await();
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        assertThat(
                        db.strings(
                                "SELECT id || '|' || coalesce(customer, 'NULL') || '|' || total || '|' || coalesce(CAST(placed_at AS VARCHAR), 'NULL') FROM orders ORDER BY id"))
                .containsExactly(
                        "1|ada|12.50|2024-05-01 10:00:00.123",
                        "2|bob|7.25|2024-05-02 11:30:00",
                        "3|NULL|0.00|NULL");
        assertThat(
                        db.strings(
                                "SELECT data_type FROM duckdb_columns() WHERE table_name = 'orders' ORDER BY column_index"))
                .containsExactly("BIGINT", "VARCHAR", "DECIMAL(12,2)", "TIMESTAMP");
    }

    @Test
    void insertsDatagenRowsExactly() throws Exception {
        Path file = dir.resolve("gen.duckdb");
        StreamTableEnvironment t = SqlTestSupport.streaming(2, 0);
        t.executeSql(
                "CREATE TABLE gen (id BIGINT, name STRING) WITH ('connector' = 'datagen', "
                        + "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5000', "
                        + "'fields.name.length' = '8')");
        t.executeSql(
                "CREATE TABLE events (id BIGINT, name STRING)"
                        + with(
                                file,
                                ", 'create-table' = 'true', 'sink.buffer-flush.max-rows' = '700'"));
        t.executeSql("INSERT INTO events SELECT id, name FROM gen").await();
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(5000);
        assertThat(db.count("SELECT count(DISTINCT id) FROM events")).isEqualTo(5000);
        assertThat(db.count("SELECT min(id) FROM events")).isEqualTo(1);
        assertThat(db.count("SELECT max(id) FROM events")).isEqualTo(5000);
        assertThat(db.count("SELECT sum(id) FROM events")).isEqualTo(5000L * 5001 / 2);
        assertThat(db.count("SELECT count(*) FROM events WHERE length(name) = 8")).isEqualTo(5000);
    }

    /** A changelog: ada twice, bob inserted then deleted, cy once. */
    private static Table changelog(StreamExecutionEnvironment env, StreamTableEnvironment t) {
        return t.fromChangelogStream(
                env.fromData(
                                Row.ofKind(RowKind.INSERT, "ada", 10L),
                                Row.ofKind(RowKind.INSERT, "bob", 5L),
                                Row.ofKind(RowKind.INSERT, "ada", 7L),
                                Row.ofKind(RowKind.DELETE, "bob", 5L),
                                Row.ofKind(RowKind.INSERT, "cy", 1L))
                        .returns(
                                org.apache.flink.api.common.typeinfo.Types.ROW_NAMED(
                                        new String[] {"customer", "amount"},
                                        org.apache.flink.api.common.typeinfo.Types.STRING,
                                        org.apache.flink.api.common.typeinfo.Types.LONG)),
                Schema.newBuilder()
                        .column("customer", "STRING")
                        .column("amount", "BIGINT")
                        .build());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void upsertsTheFinalAggregateOfAChangelogAndAppliesDeletes(String guarantee) throws Exception {
        Path file = dir.resolve("agg.duckdb");
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        db.execute(
                "CREATE TABLE totals (customer VARCHAR PRIMARY KEY, orders BIGINT, amount BIGINT)",
                "INSERT INTO totals VALUES ('bob', 1, 99), ('zed', 3, 30)");
        StreamExecutionEnvironment env = SqlTestSupport.environment(2, 100);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.createTemporaryView("changes", changelog(env, t));
        t.executeSql(
                "CREATE TABLE totals (customer STRING, orders BIGINT, amount BIGINT, "
                        + "PRIMARY KEY (customer) NOT ENFORCED)"
                        + with(file, ", 'sink.delivery-guarantee' = '" + guarantee + "'"));
        t.executeSql(
                        "INSERT INTO totals SELECT customer, COUNT(*), SUM(amount) FROM changes GROUP BY customer")
                .await();
        assertThat(
                        db.strings(
                                "SELECT customer || '=' || orders || '/' || amount FROM totals ORDER BY customer"))
                .containsExactly("ada=2/17", "cy=1/1", "zed=3/30");
    }

    @Test
    @Tag(ON_CONFLICT_ON_FLINK_23)
    void changelogRowsUpsertAndDeleteByKeyInATableWithoutPrimaryKeyConstraint() throws Exception {
        Path file = dir.resolve("cl.duckdb");
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        db.execute(
                "CREATE TABLE latest (customer VARCHAR, amount BIGINT)",
                "INSERT INTO latest VALUES ('bob', 1), ('old', 2)");
        StreamExecutionEnvironment env = SqlTestSupport.environment(1, 0);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.createTemporaryView("changes", changelog(env, t));
        t.executeSql(
                "CREATE TABLE latest (customer STRING, amount BIGINT, PRIMARY KEY (customer) NOT ENFORCED)"
                        + with(file, ""));
        t.executeSql("INSERT INTO latest SELECT customer, amount FROM changes").await();
        assertThat(db.strings("SELECT customer || '=' || amount FROM latest ORDER BY customer"))
                .containsExactly("ada=7", "cy=1", "old=2");
    }

    /** Fails the job once, when it sees {@code failAt}, after a checkpoint has completed. */
    public static class FailOnce extends ScalarFunction {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger FAILURES = new AtomicInteger();

        public Long eval(Long id, Long failAt) {
            if (id.equals(failAt) && FAILURES.getAndIncrement() == 0) {
                throw new IllegalStateException("Injected failure at id " + id);
            }
            return id;
        }
    }

    @Test
    void exactlyOnceWritesEveryRowOnceThroughAnInjectedFailure() throws Exception {
        Path file = dir.resolve("eo.duckdb");
        FailOnce.FAILURES.set(0);
        StreamTableEnvironment t = SqlTestSupport.streaming(2, 150);
        t.createTemporarySystemFunction("fail_once", FailOnce.class);
        t.executeSql(
                "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', "
                        + "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '6000', "
                        + "'rows-per-second' = '3000')");
        t.executeSql(
                "CREATE TABLE events (id BIGINT, bucket INT)"
                        + with(
                                file,
                                ", 'create-table' = 'true', 'sink.delivery-guarantee' = 'exactly-once', "
                                        + "'sink.buffer-flush.max-rows' = '500'"));
        t.executeSql("INSERT INTO events SELECT fail_once(id, 4000), CAST(id % 7 AS INT) FROM gen")
                .await();
        assertThat(FailOnce.FAILURES.get()).as("the failure was injected").isGreaterThan(1);
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(6000);
        assertThat(db.count("SELECT count(DISTINCT id) FROM events")).isEqualTo(6000);
        assertThat(db.count("SELECT sum(id) FROM events")).isEqualTo(6000L * 6001 / 2);
        assertThat(db.count("SELECT count(*) FROM events WHERE bucket = id % 7")).isEqualTo(6000);
    }

    @Test
    void exactlyOnceUpsertsTheExactFinalAggregateThroughAnInjectedFailure() throws Exception {
        Path file = dir.resolve("eo-agg.duckdb");
        FailOnce.FAILURES.set(0);
        StreamTableEnvironment t = SqlTestSupport.streaming(2, 150);
        t.createTemporarySystemFunction("fail_once", FailOnce.class);
        t.executeSql(
                "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', "
                        + "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '6000', "
                        + "'rows-per-second' = '3000')");
        t.executeSql(
                "CREATE TABLE agg_buckets (bucket BIGINT, n BIGINT, total BIGINT, PRIMARY KEY (bucket) NOT ENFORCED)"
                        + with(
                                file,
                                ", 'create-table' = 'true', 'sink.delivery-guarantee' = 'exactly-once'"));
        t.executeSql(
                        "INSERT INTO agg_buckets SELECT id % 10, COUNT(*), SUM(id) FROM "
                                + "(SELECT fail_once(id, 4000) AS id FROM gen) GROUP BY id % 10")
                .await();
        assertThat(FailOnce.FAILURES.get()).as("the failure was injected").isGreaterThan(1);
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        assertThat(db.count("SELECT count(*) FROM agg_buckets")).isEqualTo(10);
        assertThat(db.count("SELECT count(*) FROM agg_buckets WHERE n = 600")).isEqualTo(10);
        assertThat(db.count("SELECT sum(total) FROM agg_buckets")).isEqualTo(6000L * 6001 / 2);
        assertThat(db.count("SELECT total FROM agg_buckets WHERE bucket = 0"))
                .isEqualTo(600L * (10 + 6000) / 2);
        assertThat(
                        db.strings(
                                "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'agg_buckets' AND constraint_type = 'PRIMARY KEY'"))
                .containsExactly("PRIMARY KEY");
    }

    @Test
    void anotherProcessOpensTheFileBetweenCommitsWhenTheSinkReleasesIt() throws Exception {
        Path file = dir.resolve("shared.duckdb");
        StreamTableEnvironment t = SqlTestSupport.streaming(1, 200);
        t.executeSql(
                "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', "
                        + "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000', "
                        + "'rows-per-second' = '1000')");
        t.executeSql(
                "CREATE TABLE events (id BIGINT)"
                        + with(
                                file,
                                ", 'create-table' = 'true', 'sink.release-database-between-commits' = 'true', "
                                        + "'sink.max-retries' = '8'"));
        TableResult insert = t.executeSql("INSERT INTO events SELECT id FROM gen");
        org.apache.flink.core.execution.JobClient job =
                insert.getJobClient().orElseThrow(IllegalStateException::new);
        // The sink has the file in use once its first rows are committed.
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (db.count("SELECT count(*) FROM events") > 0) {
                    break;
                }
            } catch (RuntimeException notCreatedYet) {
                // the table appears with the first commit
            }
            Thread.sleep(50);
        }
        // Then another process (read-write, the strictest) gets the file while the job runs.
        boolean opened = false;
        while (!opened && System.currentTimeMillis() < deadline) {
            try (io.github.flinkduckdb.testing.DatabaseLockHolder other =
                    io.github.flinkduckdb.testing.DatabaseLockHolder.hold(file)) {
                assertThat(job.getJobStatus().get())
                        .as("the job is still running while another process has the file")
                        .isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
                opened = true;
            } catch (java.io.IOException lockedOrNotCreatedYet) {
                Thread.sleep(100);
            }
        }
        assertThat(opened).as("another process opened the file between commits").isTrue();
        // The source runs until stopped (not until a row count, which a slow lock holder could
        // outlast): the stop's savepoint commits every row the source emitted, ids 1..n.
        job.stopWithSavepoint(
                        false,
                        dir.resolve("savepoints").toUri().toString(),
                        org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                .get(2, java.util.concurrent.TimeUnit.MINUTES);
        long n = db.count("SELECT max(id) FROM events");
        assertThat(n).isPositive();
        assertThat(db.count("SELECT count(DISTINCT id) FROM events")).isEqualTo(n);
        assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(n);
    }

    @Test
    void sinkNamesTheConflictWhenThisProcessHasTheFileOpenReadOnly() throws Exception {
        Path file = dir.resolve("ro.duckdb");
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        db.execute("CREATE TABLE events (id BIGINT)");
        java.util.Properties readOnly = new java.util.Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (java.sql.Connection reader =
                java.sql.DriverManager.getConnection(db.url(), readOnly)) {
            StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);
            t.executeSql(
                    "CREATE TABLE events (id BIGINT)" + with(file, ", 'sink.max-retries' = '1'"));
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> t.executeSql("INSERT INTO events VALUES (1)").await())
                    .hasStackTraceContaining("this process has the file open read-only")
                    .hasStackTraceContaining(
                            "DuckDB keeps one database instance per file and process");
            assertThat(reader.isClosed()).isFalse();
        }
        assertThat(db.count("SELECT count(*) FROM events")).isZero();
    }
}
