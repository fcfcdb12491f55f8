package io.github.flinkduckdb.table;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What changes for SQL users on Flink 2.3 (FLIP-558): an INSERT into a table with a PRIMARY KEY
 * from a query whose upsert key differs from it (an append-only query, say) must say how conflicts
 * are resolved; with {@code ON CONFLICT DO DEDUPLICATE} the duckdb sink writes the latest row per
 * key.
 */
class OnConflictOnFlink23ITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SqlTestSupport.miniCluster();

    @TempDir Path dir;

    private static final String ROWS =
            "SELECT * FROM (VALUES (1, 'first'), (2, 'only'), (1, 'second')) AS v(id, name)";

    private StreamTableEnvironment withOrders(Path file) {
        StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);
        t.executeSql(
                "CREATE TABLE orders (id INT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
                        + "'connector' = 'duckdb', 'url' = 'jdbc:duckdb:"
                        + SqlTestSupport.sqlPath(file)
                        + "', 'table-name' = 'orders', 'create-table' = 'true')");
        return t;
    }

    @Test
    void anAppendOnlyQueryIntoAKeyedTableNeedsOnConflict() {
        StreamTableEnvironment t = withOrders(dir.resolve("no-clause.duckdb"));
        assertThatThrownBy(() -> t.executeSql("INSERT INTO orders " + ROWS))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("ON CONFLICT");
    }

    @Test
    void onConflictDoDeduplicateWritesTheLatestRowPerKey() throws Exception {
        Path file = dir.resolve("dedupe.duckdb");
        StreamTableEnvironment t = withOrders(file);
        t.executeSql("INSERT INTO orders " + ROWS + " ON CONFLICT DO DEDUPLICATE").await();
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        assertThat(db.strings("SELECT id || '=' || name FROM orders ORDER BY id"))
                .containsExactly("1=second", "2=only");
    }
}
