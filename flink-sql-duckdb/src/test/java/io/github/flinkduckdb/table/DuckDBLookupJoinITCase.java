package io.github.flinkduckdb.table;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.github.flinkduckdb.table.SqlTestSupport.collect;
import static io.github.flinkduckdb.table.SqlTestSupport.sortedStrings;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code JOIN ... FOR SYSTEM_TIME AS OF} against a duckdb table, with and without cache. */
class DuckDBLookupJoinITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(reporting())
                            .build());

    private static Configuration reporting() {
        Configuration c = new Configuration();
        c.setString("metrics.reporter.counting.factory.class", CountingReporter.class.getName());
        return c;
    }

    @TempDir Path dir;
    private Path file;

    private static final String ENRICHED =
            "SELECT o.order_id, c.name, c.tier FROM orders AS o "
                    + "LEFT JOIN customers FOR SYSTEM_TIME AS OF o.pt AS c "
                    + "ON o.cust = c.id AND o.region = c.region";

    @BeforeEach
    void createDimensionTable() {
        CountingReporter.reset();
        file = dir.resolve("dim.duckdb");
        DuckDBTestDatabase.at(file)
                .execute(
                        "CREATE TABLE customers (id BIGINT, region VARCHAR, name VARCHAR, tier INTEGER, "
                                + "PRIMARY KEY (id, region))",
                        "INSERT INTO customers VALUES (10, 'eu', 'ada', 1), (10, 'us', 'ada-us', 2), "
                                + "(11, 'us', 'bob', 3)");
    }

    private StreamTableEnvironment declare(String lookupOptions) {
        StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);
        t.executeSql(
                "CREATE TEMPORARY VIEW orders AS SELECT order_id, cust, region, PROCTIME() AS pt FROM "
                        + "(VALUES (1, CAST(10 AS BIGINT), 'eu'), (2, CAST(10 AS BIGINT), 'eu'), (3, CAST(11 AS BIGINT), 'us'), "
                        + "(4, CAST(10 AS BIGINT), 'eu'), (5, CAST(99 AS BIGINT), 'eu'), (6, CAST(11 AS BIGINT), 'us')) "
                        + "AS v(order_id, cust, region)");
        t.executeSql(
                "CREATE TABLE customers (id BIGINT, region STRING, name STRING, tier INT, "
                        + "PRIMARY KEY (id, region) NOT ENFORCED) WITH ('connector' = 'duckdb', 'path' = '"
                        + SqlTestSupport.sqlPath(file)
                        + "'"
                        + lookupOptions
                        + ")");
        return t;
    }

    private static final String[] EXPECTED = {
        "+I[1, ada, 1]",
        "+I[2, ada, 1]",
        "+I[3, bob, 3]",
        "+I[4, ada, 1]",
        "+I[5, null, null]",
        "+I[6, bob, 3]"
    };

    @Test
    void looksUpEveryRowByCompositeKeyWithoutCache() throws Exception {
        StreamTableEnvironment t = declare("");
        assertThat(sortedStrings(collect(t.executeSql(ENRICHED)))).containsExactly(EXPECTED);
        assertThat(CountingReporter.sum(DuckDBLookupFunction.QUERIES_METRIC))
                .as("one DuckDB query per order")
                .isEqualTo(6);
    }

    @Test
    void partialCacheQueriesDuckDBOncePerKey() throws Exception {
        StreamTableEnvironment t =
                declare(
                        ", 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100', "
                                + "'lookup.partial-cache.expire-after-write' = '1 h'");
        assertThat(sortedStrings(collect(t.executeSql(ENRICHED)))).containsExactly(EXPECTED);
        assertThat(CountingReporter.sum(DuckDBLookupFunction.QUERIES_METRIC))
                .as("one DuckDB query per distinct key (10/eu, 11/us, 99/eu), misses cached too")
                .isEqualTo(3);
    }

    @Test
    void lookupKeepsFiltersOnTheDimensionTable() throws Exception {
        StreamTableEnvironment t = declare("");
        assertThat(
                        sortedStrings(
                                collect(
                                        t.executeSql(
                                                "SELECT o.order_id, c.name FROM orders AS o "
                                                        + "JOIN customers FOR SYSTEM_TIME AS OF o.pt AS c "
                                                        + "ON o.cust = c.id AND o.region = c.region WHERE c.tier > 1"))))
                .containsExactly("+I[3, bob]", "+I[6, bob]");
    }
}
