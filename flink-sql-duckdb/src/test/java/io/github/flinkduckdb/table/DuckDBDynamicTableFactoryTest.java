package io.github.flinkduckdb.table;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad options, schemas and queries fail while the job is planned, naming what is wrong. */
class DuckDBDynamicTableFactoryTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SqlTestSupport.miniCluster();

    @TempDir Path dir;

    private final StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);

    private String path(String name) {
        return SqlTestSupport.sqlPath(dir.resolve(name));
    }

    private DuckDBTestDatabase shop() {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("shop.duckdb"));
        db.execute(
                "CREATE TABLE IF NOT EXISTS customers (id BIGINT PRIMARY KEY, name VARCHAR, "
                        + "born DATE, score DOUBLE NOT NULL DEFAULT 0)");
        return db;
    }

    private void declare(String columns, String options) {
        t.executeSql(
                "CREATE TABLE customers ("
                        + columns
                        + ") WITH ('connector' = 'duckdb'"
                        + options
                        + ")");
    }

    @Test
    void missingPathAndUrlIsRejected() {
        declare("id BIGINT", "");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1)"))
                .hasStackTraceContaining(
                        "Table 'default_catalog.default_database.customers': set exactly one of 'path'")
                .hasStackTraceContaining("neither is set");
    }

    @Test
    void pathAndUrlTogetherAreRejected() {
        declare(
                "id BIGINT",
                ", 'path' = '" + path("a.duckdb") + "', 'url' = 'jdbc:duckdb:/tmp/b.duckdb'");
        assertThatThrownBy(() -> t.explainSql("SELECT * FROM customers"))
                .hasStackTraceContaining("set exactly one of 'path' and 'url'; both are set");
    }

    @Test
    void unknownOptionFailsListingTheSupportedOnes() {
        shop();
        declare(
                "id BIGINT",
                ", 'path' = '" + path("shop.duckdb") + "', 'sink.buffer-flush.rows' = '5'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1)"))
                .hasStackTraceContaining("Unsupported options found for 'duckdb'")
                .hasStackTraceContaining("sink.buffer-flush.rows")
                .hasStackTraceContaining("sink.buffer-flush.max-rows")
                .hasStackTraceContaining("motherduck.token");
    }

    @Test
    void invalidOptionValuesAreRejectedNamingTheOption() {
        shop();
        declare(
                "id BIGINT",
                ", 'path' = '" + path("shop.duckdb") + "', 'sink.delivery-guarantee' = 'twice'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1)"))
                .hasStackTraceContaining("sink.delivery-guarantee")
                .hasStackTraceContaining("twice");
        t.executeSql("DROP TABLE customers");
        declare(
                "id BIGINT",
                ", 'path' = '" + path("shop.duckdb") + "', 'sink.buffer-flush.max-rows' = '0'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1)"))
                .hasStackTraceContaining("Option 'sink.buffer-flush.max-rows' must be > 0, got 0");
    }

    @Test
    void typeMismatchWithTheExistingTableNamesTheColumn() {
        shop();
        declare(
                "id BIGINT, name INT, PRIMARY KEY (id) NOT ENFORCED",
                ", 'path' = '" + path("shop.duckdb") + "'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1, 2)"))
                .hasStackTraceContaining(
                        "Column 'name' of Flink table 'default_catalog.default_database.customers' has type INT, "
                                + "which cannot be written to column 'name' VARCHAR of DuckDB table shop.main.customers")
                .hasStackTraceContaining("declare it as STRING");
        assertThatThrownBy(() -> t.explainSql("SELECT * FROM customers"))
                .hasStackTraceContaining("which cannot be read from column 'name' VARCHAR");
    }

    @Test
    void unknownColumnAndPrimaryKeyMismatchNameTheColumns() {
        shop();
        declare("id BIGINT, nickname STRING", ", 'path' = '" + path("shop.duckdb") + "'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1, 'x')"))
                .hasStackTraceContaining(
                        "Column 'nickname' of Flink table 'default_catalog.default_database.customers' does not exist in DuckDB table shop.main.customers")
                .hasStackTraceContaining("[id, name, born, score]");
        t.executeSql("DROP TABLE customers");
        declare(
                "id BIGINT, name STRING, PRIMARY KEY (name) NOT ENFORCED",
                ", 'path' = '" + path("shop.duckdb") + "'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1, 'x')"))
                .hasStackTraceContaining(
                        "declares PRIMARY KEY [name] but DuckDB table shop.main.customers has PRIMARY KEY [id]");
    }

    @Test
    void changelogWithoutPrimaryKeyIsRejectedWithAClearMessage() {
        shop();
        declare("id BIGINT, name STRING", ", 'path' = '" + path("shop.duckdb") + "'");
        assertThatThrownBy(
                        () ->
                                t.explainSql(
                                        "INSERT INTO customers SELECT COUNT(*), name FROM "
                                                + "(VALUES ('a'), ('b'), ('a')) AS v(name) GROUP BY name"))
                .hasStackTraceContaining(
                        "Table 'default_catalog.default_database.customers' (DuckDB table customers) receives updates and deletes")
                .hasStackTraceContaining("declares no PRIMARY KEY");
    }

    @Test
    void unreadableFileNamesTheOptionAndTheFile() throws Exception {
        Path bogus = dir.resolve("not-a-database.duckdb");
        Files.write(bogus, "this is not a DuckDB file".getBytes(StandardCharsets.UTF_8));
        declare("id BIGINT", ", 'path' = '" + path("not-a-database.duckdb") + "'");
        assertThatThrownBy(() -> t.explainSql("SELECT * FROM customers"))
                .hasStackTraceContaining("Cannot read DuckDB file " + bogus.toAbsolutePath())
                .hasStackTraceContaining("(option 'path')");
    }

    @Test
    void missingTableNeedsCreateTable() {
        declare("id BIGINT", ", 'path' = '" + path("empty.duckdb") + "'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1)"))
                .hasStackTraceContaining("Table customers does not exist in DuckDB file")
                .hasStackTraceContaining("'create-table' = 'true'");
        assertThatThrownBy(() -> t.explainSql("SELECT * FROM customers"))
                .hasStackTraceContaining("so there is nothing to read");
    }

    @Test
    void fullLookupCacheIsRejected() {
        shop();
        declare(
                "id BIGINT, name STRING",
                ", 'path' = '" + path("shop.duckdb") + "', 'lookup.cache' = 'FULL'");
        assertThatThrownBy(() -> t.explainSql("SELECT * FROM customers"))
                .hasStackTraceContaining("'lookup.cache' = 'FULL' is not supported");
    }

    @Test
    void motherDuckTokenIsOnlyForMotherDuckUrls() {
        shop();
        declare(
                "id BIGINT",
                ", 'path' = '" + path("shop.duckdb") + "', 'motherduck.token' = 'tok-123'");
        assertThatThrownBy(() -> t.explainSql("SELECT * FROM customers"))
                .hasStackTraceContaining("option 'motherduck.token'")
                .hasStackTraceContaining("is not a MotherDuck URL")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("tok-123"));
    }

    @Test
    void memoryLimitMustBeASizeInDuckDBsUnits() {
        shop();
        declare("id BIGINT", ", 'path' = '" + path("shop.duckdb") + "', 'memory-limit' = 'lots'");
        assertThatThrownBy(() -> t.explainSql("INSERT INTO customers VALUES (1)"))
                .hasStackTraceContaining(
                        "Table 'default_catalog.default_database.customers', option 'memory-limit': expected a size in DuckDB's units, e.g. '512MB', '2GB' or '1GiB', got 'lots'");
        t.executeSql("DROP TABLE customers");
        declare("id BIGINT", ", 'path' = '" + path("shop.duckdb") + "', 'memory-limit' = '64MB'");
        assertThat(t.explainSql("INSERT INTO customers VALUES (1)")).contains("customers");
    }

    @Test
    void createTableDerivesDuckDBDdlWithPrimaryKeyAndSchema() {
        String ddl =
                DuckDBDynamicTableFactory.createStatement(
                        "true",
                        new io.github.flinkduckdb.schema.DuckDBTableSchema(
                                io.github.flinkduckdb.schema.TableIdentifier.parse("sales.orders"),
                                java.util.Arrays.asList(
                                        new io.github.flinkduckdb.schema.ColumnSchema(
                                                "id",
                                                io.github.flinkduckdb.schema.DuckDBType.of(
                                                        io.github.flinkduckdb.schema.DuckDBType.Id
                                                                .BIGINT),
                                                false,
                                                null)),
                                java.util.Arrays.asList("id")));
        assertThat(ddl)
                .isEqualTo(
                        "CREATE SCHEMA IF NOT EXISTS \"sales\"; CREATE TABLE IF NOT EXISTS \"sales\".\"orders\" (\"id\" BIGINT NOT NULL, PRIMARY KEY (\"id\"))");
        assertThat(DuckDBDynamicTableFactory.createStatement("false", null)).isNull();
        assertThat(DuckDBDynamicTableFactory.createStatement("CREATE TABLE x (a INT)", null))
                .isEqualTo("CREATE TABLE x (a INT)");
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
