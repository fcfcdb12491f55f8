package io.github.flinkduckdb.table;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;

import static io.github.flinkduckdb.table.SqlTestSupport.collect;
import static io.github.flinkduckdb.table.SqlTestSupport.sortedStrings;
import static org.assertj.core.api.Assertions.assertThat;

/** Scanning duckdb tables: all rows once, in parallel splits, with push-down. */
class DuckDBTableSourceITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SqlTestSupport.miniCluster();

    @TempDir Path dir;
    private Path file;
    private DuckDBTestDatabase db;

    @BeforeEach
    void createTables() {
        file = dir.resolve("shop.duckdb");
        db = DuckDBTestDatabase.at(file);
        db.execute(
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR, total DECIMAL(10,2), "
                        + "status VARCHAR, placed DATE)",
                "INSERT INTO orders SELECT range, 'c' || (range % 10), (range % 100) + 0.5, "
                        + "CASE WHEN range % 3 = 0 THEN NULL ELSE 'open' END, DATE '2024-01-01' + CAST(range % 30 AS INTEGER) "
                        + "FROM range(1, 10001)",
                "CREATE TABLE notes (txt VARCHAR)",
                "INSERT INTO notes VALUES ('a_c'), ('abc'), ('a\\c'), ('x')");
    }

    private void declareOrders(StreamTableEnvironment t) {
        t.executeSql(
                "CREATE TABLE orders (id BIGINT, customer STRING, total DECIMAL(10, 2), status STRING, placed DATE, "
                        + "PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'duckdb', 'path' = '"
                        + SqlTestSupport.sqlPath(file)
                        + "', 'scan.fetch-size' = '333')");
    }

    @Test
    void readsEveryRowOnceInParallelKeyRangeSplits() throws Exception {
        StreamTableEnvironment t = SqlTestSupport.batch(3);
        declareOrders(t);
        List<org.apache.flink.types.Row> rows =
                collect(
                        t.executeSql(
                                "SELECT COUNT(*), COUNT(DISTINCT id), SUM(id), MIN(id), MAX(id), SUM(total) FROM orders"));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).toString())
                .isEqualTo("+I[10000, 10000, 50005000, 1, 10000, " + expectedTotal() + "]");
    }

    private String expectedTotal() {
        return String.valueOf(db.value("SELECT sum(total) FROM orders"));
    }

    @Test
    void pushesProjectionFilterAndLimitIntoDuckDB() throws Exception {
        StreamTableEnvironment t = SqlTestSupport.batch(1);
        declareOrders(t);
        String query =
                "SELECT id, customer FROM orders WHERE id > 100 AND id <= 110 "
                        + "AND customer IN ('c1', 'c3', 'c5') AND status IS NOT NULL";
        String plan = t.explainSql(query);
        assertThat(plan)
                .contains("project=[id, customer]")
                .contains("filter=[")
                .doesNotContain("Calc(select=[id, customer], where=");
        assertThat(sortedStrings(collect(t.executeSql(query))))
                .containsExactly("+I[101, c1]", "+I[103, c3]");
    }

    @Test
    void pushesOrAndLikeAndKeepsWhatDuckDBReadsDifferently() throws Exception {
        StreamTableEnvironment t = SqlTestSupport.batch(1);
        t.executeSql(
                "CREATE TABLE notes (txt STRING) WITH ('connector' = 'duckdb', 'path' = '"
                        + SqlTestSupport.sqlPath(file)
                        + "')");
        String like = "SELECT txt FROM notes WHERE txt LIKE 'a%' OR txt = 'x'";
        assertThat(t.explainSql(like)).contains("filter=[").doesNotContain("where=");
        assertThat(sortedStrings(collect(t.executeSql(like))))
                .containsExactly("+I[a\\c]", "+I[a_c]", "+I[abc]", "+I[x]");
        // Neither Flink nor DuckDB has a default LIKE escape: a backslash is a plain character.
        String backslash = "SELECT txt FROM notes WHERE txt LIKE 'a\\%' OR txt LIKE 'a\\_c'";
        assertThat(t.explainSql(backslash)).contains("filter=[").doesNotContain("where=");
        assertThat(sortedStrings(collect(t.executeSql(backslash)))).containsExactly("+I[a\\c]");
        // What DuckDB is not given stays in Flink.
        String function = "SELECT txt FROM notes WHERE UPPER(txt) = 'X'";
        assertThat(t.explainSql(function)).contains("where=[(UPPER(txt)");
        assertThat(sortedStrings(collect(t.executeSql(function)))).containsExactly("+I[x]");
    }

    @Test
    void pushesTheLimitAndReadsOnlyThatManyRows() throws Exception {
        StreamTableEnvironment t = SqlTestSupport.batch(2);
        declareOrders(t);
        String query = "SELECT id FROM orders WHERE status IS NULL LIMIT 4";
        assertThat(t.explainSql(query)).contains("limit=[4]");
        List<org.apache.flink.types.Row> rows = collect(t.executeSql(query));
        assertThat(rows).hasSize(4);
        for (org.apache.flink.types.Row r : rows) {
            assertThat((Long) r.getField(0) % 3).isZero();
        }
    }

    @Test
    void readsWhileThisProcessHasTheFileOpenForWriting() throws Exception {
        try (Connection writer = DriverManager.getConnection(db.url())) {
            writer.createStatement().execute("INSERT INTO notes VALUES ('while open')");
            StreamTableEnvironment t = SqlTestSupport.batch(1);
            t.executeSql(
                    "CREATE TABLE notes (txt STRING) WITH ('connector' = 'duckdb', 'path' = '"
                            + SqlTestSupport.sqlPath(file)
                            + "')");
            assertThat(collect(t.executeSql("SELECT COUNT(*) FROM notes")).get(0).toString())
                    .isEqualTo("+I[5]");
        }
    }

    @Test
    void pushedDateAndDecimalFiltersSelectTheSameRowsAsDuckDB() throws Exception {
        StreamTableEnvironment t = SqlTestSupport.batch(2);
        declareOrders(t);
        String query =
                "SELECT COUNT(*) FROM orders WHERE placed = DATE '2024-01-05' AND total >= 50.5 "
                        + "AND NOT (customer = 'c3')";
        assertThat(t.explainSql(query)).contains("filter=[");
        long expected =
                db.count(
                        "SELECT count(*) FROM orders WHERE placed = DATE '2024-01-05' AND total >= 50.5 "
                                + "AND NOT (customer = 'c3')");
        assertThat(expected).isEqualTo(167);
        assertThat(collect(t.executeSql(query)).get(0).getField(0)).isEqualTo(expected);
    }
}
