package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.table.SqlTestSupport;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.catalog.Catalog;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.exceptions.TableNotExistException;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.github.flinkduckdb.table.SqlTestSupport.collect;
import static io.github.flinkduckdb.table.SqlTestSupport.sortedStrings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code CREATE CATALOG duck WITH ('type' = 'duckdb', ...)}: DuckDB tables without DDL. */
class DuckDBCatalogITCase {

    /** FLIP-558: on Flink 2.3 this INSERT needs ON CONFLICT (the 2.3 check skips it). */
    private static final String ON_CONFLICT_ON_FLINK_23 = "needs-on-conflict-on-flink-2.3";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SqlTestSupport.miniCluster();

    @TempDir Path dir;
    private Path file;
    private DuckDBTestDatabase db;
    private StreamTableEnvironment t;

    @BeforeEach
    void createDatabase() {
        file = dir.resolve("shop.duckdb");
        db = DuckDBTestDatabase.at(file);
        db.execute(
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR NOT NULL, total DECIMAL(10,2), "
                        + "tags VARCHAR[], placed TIMESTAMP)",
                "INSERT INTO orders VALUES (1, 'ada', 12.50, ['a', 'b'], TIMESTAMP '2024-05-01 10:00:00'), "
                        + "(2, 'bob', 7.25, [], NULL)",
                "CREATE SCHEMA archive",
                "CREATE TABLE archive.old_orders (id BIGINT, note VARCHAR)",
                "CREATE VIEW order_view AS SELECT id FROM orders");
        t = SqlTestSupport.streaming(1, 0);
        t.executeSql(
                "CREATE CATALOG duck WITH ('type' = 'duckdb', 'path' = '"
                        + SqlTestSupport.sqlPath(file)
                        + "')");
    }

    @Test
    @Tag(ON_CONFLICT_ON_FLINK_23)
    void listsSchemasAsDatabasesAndTables() throws Exception {
        // The sink's bookkeeping tables, as an exactly-once insert leaves them, are not listed.
        t.executeSql(
                        "INSERT INTO duck.main.orders /*+ OPTIONS('sink.delivery-guarantee' = 'exactly-once') */ "
                                + "VALUES (9, 'zoe', 1.00, ARRAY['z'], CAST(NULL AS TIMESTAMP(6)))")
                .await();
        assertThat(db.count("SELECT count(*) FROM _flink_duckdb_commits")).isPositive();
        assertThat(sortedStrings(collect(t.executeSql("SHOW DATABASES IN duck"))))
                .containsExactly("+I[archive]", "+I[main]");
        t.executeSql("USE CATALOG duck");
        assertThat(sortedStrings(collect(t.executeSql("SHOW TABLES"))))
                .containsExactly("+I[orders]");
        assertThat(sortedStrings(collect(t.executeSql("SHOW TABLES IN archive"))))
                .containsExactly("+I[old_orders]");
    }

    @Test
    void readsATablesSchemaWithPrimaryKeyFromDuckDB() throws Exception {
        Catalog catalog = t.getCatalog("duck").orElseThrow(IllegalStateException::new);
        CatalogBaseTable table = catalog.getTable(new ObjectPath("main", "orders"));
        assertThat(table.getUnresolvedSchema().toString())
                .contains("`id` BIGINT NOT NULL")
                .contains("`customer` STRING NOT NULL")
                .contains("`total` DECIMAL(10, 2)")
                .contains("`tags` ARRAY<STRING>")
                .contains("`placed` TIMESTAMP(6)")
                .contains("PRIMARY KEY (`id`) NOT ENFORCED");
        assertThat(table.getOptions())
                .containsEntry("connector", "duckdb")
                .containsEntry("table-name", "\"main\".\"orders\"")
                .containsEntry("path", file.toAbsolutePath().toString());
        assertThatThrownBy(() -> catalog.getTable(new ObjectPath("main", "order_view")))
                .isInstanceOf(TableNotExistException.class);
    }

    @Test
    @Tag(ON_CONFLICT_ON_FLINK_23)
    void selectsAndInsertsWithoutDdl() throws Exception {
        assertThat(
                        sortedStrings(
                                collect(
                                        t.executeSql(
                                                "SELECT id, customer, total, tags, placed FROM duck.main.orders"))))
                .containsExactly(
                        "+I[1, ada, 12.50, [a, b], 2024-05-01T10:00]",
                        "+I[2, bob, 7.25, [], null]");
        t.executeSql(
                        "INSERT INTO duck.main.orders VALUES "
                                + "(2, 'bob', 9.99, ARRAY['x'], CAST(NULL AS TIMESTAMP(6))), "
                                + "(3, 'cy', 1.00, ARRAY['c'], TIMESTAMP '2024-06-01 00:00:00')")
                .await();
        assertThat(
                        db.strings(
                                "SELECT id || '|' || customer || '|' || total || '|' || CAST(tags AS VARCHAR) FROM orders ORDER BY id"))
                .containsExactly("1|ada|12.50|[a, b]", "2|bob|9.99|[x]", "3|cy|1.00|[c]");
    }

    @Test
    @Tag(ON_CONFLICT_ON_FLINK_23)
    void createsAndDropsTablesAndSchemasFromFlinkDdl() throws Exception {
        t.executeSql("CREATE DATABASE duck.staging");
        t.executeSql(
                "CREATE TABLE duck.staging.events (id BIGINT, payload ROW<kind STRING, n INT>, "
                        + "at_ltz TIMESTAMP_LTZ(3), PRIMARY KEY (id) NOT ENFORCED)");
        assertThat(
                        db.strings(
                                "SELECT column_name || ' ' || data_type FROM duckdb_columns() "
                                        + "WHERE schema_name = 'staging' AND table_name = 'events' ORDER BY column_index"))
                .containsExactly(
                        "id BIGINT",
                        "payload STRUCT(kind VARCHAR, n INTEGER)",
                        "at_ltz TIMESTAMP WITH TIME ZONE");
        assertThat(
                        db.strings(
                                "SELECT CAST(constraint_column_names AS VARCHAR) FROM duckdb_constraints() "
                                        + "WHERE table_name = 'events' AND constraint_type = 'PRIMARY KEY'"))
                .containsExactly("[id]");
        t.executeSql(
                        "INSERT INTO duck.staging.events VALUES (1, ROW('a', 1), TO_TIMESTAMP_LTZ(0, 3))")
                .await();
        assertThat(db.strings("SELECT payload.kind FROM staging.events")).containsExactly("a");
        t.executeSql("DROP TABLE duck.staging.events");
        assertThat(db.count("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'events'"))
                .isZero();
        t.executeSql("DROP DATABASE duck.staging");
        assertThat(sortedStrings(collect(t.executeSql("SHOW DATABASES IN duck"))))
                .containsExactly("+I[archive]", "+I[main]");
    }

    @Test
    void rejectsTableOptionsOnCreate() {
        assertThatThrownBy(
                        () ->
                                t.executeSql(
                                        "CREATE TABLE duck.main.x (id INT) WITH ('sink.max-retries' = '1')"))
                .hasStackTraceContaining("stores no table options")
                .hasStackTraceContaining("'sink.max-retries'");
    }

    @Test
    @Tag(ON_CONFLICT_ON_FLINK_23)
    void sinkOptionsAreGivenPerQueryWithHints() throws Exception {
        t.executeSql(
                        "INSERT INTO duck.main.orders /*+ OPTIONS('sink.delivery-guarantee' = 'exactly-once') */ "
                                + "VALUES (9, 'hint', 1.00, ARRAY['h'], CAST(NULL AS TIMESTAMP(6)))")
                .await();
        assertThat(db.strings("SELECT customer FROM orders WHERE id = 9")).containsExactly("hint");
        assertThat(db.count("SELECT count(*) FROM _flink_duckdb_commits"))
                .as("written through the exactly-once committer")
                .isEqualTo(1);
    }
}
