package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Otter's own sink config, {@code sink: {type: parquet, path: ./output, dedupe_key: order_id}}, on
 * the documented 1:N model {@code purchases} (one row per item): every row DuckDB computes for each
 * message alone is published, and every file names the key in its metadata.
 */
class SeedSinkDedupeKeyITCase {

    private static final String SCHEMA_COLUMNS =
            "{order_id: 'BIGINT', \"user\": 'STRUCT(id BIGINT, name VARCHAR)',"
                    + " items: 'STRUCT(sku VARCHAR, name VARCHAR, quantity INTEGER,"
                    + " price DECIMAL(10,2))[]', currency: 'VARCHAR', placed_at: 'TIMESTAMP'}";
    private static final String PURCHASE_COLUMNS =
            "order_id || '|' || sku || '|' || quantity || '|' || unit_price || '|' || line_total";

    @TempDir Path dir;

    /**
     * 30 orders with 0 to 4 items (some SKUs twice in one order), and order 1009 (4 items) sent
     * twice.
     */
    private static List<String> messages() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            StringBuilder items = new StringBuilder();
            for (int j = 0; j < i % 5; j++) {
                if (j > 0) {
                    items.append(", ");
                }
                items.append(
                        String.format(
                                Locale.ROOT,
                                "{\"sku\": \"SKU-%d\", \"name\": \"item %d\", \"quantity\": %d,"
                                        + " \"price\": %d.25}",
                                j % 2,
                                j,
                                j + 1,
                                i + j));
            }
            out.add(
                    String.format(
                            Locale.ROOT,
                            "{\"order_id\": %d, \"user\": {\"id\": %d, \"name\": \"u%d\"},"
                                    + " \"items\": [%s], \"currency\": \"%s\", \"placed_at\":"
                                    + " \"2024-05-01 10:%02d:00\"}",
                            1000 + i,
                            i % 7,
                            i % 7,
                            items,
                            i % 2 == 0 ? "EUR" : "USD",
                            i));
        }
        out.add(out.get(9));
        return out;
    }

    @Test
    void theSeedsSingleSinkKeepsEveryRowOfTheOneToManyModel() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        List<String> messages = messages();
        Files.write(project.resolve("fixtures/messages.jsonl"), messages);
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n  type: file\n  path: fixtures/messages.jsonl\n  dlq_path: ./dlq\n");
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: parquet\n  path: ./output\n  dedupe_key: order_id\n");
        List<String> expected = perMessagePurchases(project, messages);
        assertThat(expected).as("the reference's purchases").hasSize(64);

        Cli run =
                Cli.run(
                        "--project",
                        project.toString(),
                        "run",
                        "--parallelism",
                        "2",
                        "--checkpoint-interval",
                        "300ms",
                        "--progress-interval",
                        "0",
                        "--state-dir",
                        dir.resolve("state").toString());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out)
                .contains("  messages in     31\n")
                .contains("  rows orders     31\n")
                .contains("  rows purchases  64\n");
        assertThat(run.err)
                .contains(
                        "config/sinks.yml:4:15: sink.dedupe_key: dedupe_key [order_id] may not"
                                + " identify a row of model 'purchases'");
        Path output = project.resolve("output");
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            String purchases = SqlIdentifiers.literal(output + "/purchases/**/*.parquet");
            ResultSet rows =
                    st.executeQuery(
                            "SELECT "
                                    + PURCHASE_COLUMNS
                                    + " AS r FROM read_parquet("
                                    + purchases
                                    + ") ORDER BY r");
            List<String> actual = new ArrayList<>();
            while (rows.next()) {
                actual.add(rows.getString(1));
            }
            assertThat(actual).as("every purchase of every message").isEqualTo(expected);

            String all = SqlIdentifiers.literal(output + "/**/*.parquet");
            ResultSet files =
                    st.executeQuery(
                            "SELECT count(*), count(*) FILTER (meta = '[\"order_id\"]') FROM"
                                    + " (SELECT f.file, m.meta FROM glob("
                                    + all
                                    + ") f LEFT JOIN (SELECT file_name, decode(value) AS meta"
                                    + " FROM parquet_kv_metadata("
                                    + all
                                    + ") WHERE decode(key) = 'otter.dedupe_key') m"
                                    + " ON m.file_name = f.file)");
            files.next();
            assertThat(files.getLong(1)).as("published files").isPositive();
            assertThat(files.getLong(2)).as("files naming the key").isEqualTo(files.getLong(1));

            // The reader's de-duplication of docs/otter-runner.md, on the 1:1 model.
            ResultSet orders =
                    st.executeQuery(
                            "SELECT count(*), count(DISTINCT order_id) FROM (SELECT * FROM"
                                    + " read_parquet("
                                    + SqlIdentifiers.literal(output + "/orders/**/*.parquet")
                                    + ", filename = true) QUALIFY row_number() OVER (PARTITION BY"
                                    + " order_id ORDER BY parse_filename(filename)) = 1)");
            orders.next();
            assertThat(orders.getLong(1)).isEqualTo(30);
            assertThat(orders.getLong(2)).isEqualTo(30);
        }
    }

    /** The purchases DuckDB computes for each message alone, typed by the declared schema. */
    private List<String> perMessagePurchases(Path project, List<String> messages) throws Exception {
        String model = Files.readString(project.resolve("models/purchases.sql"));
        Path one = dir.resolve("one-message.json");
        List<String> out = new ArrayList<>();
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            for (String message : messages) {
                Files.writeString(one, message);
                st.execute(
                        "CREATE OR REPLACE TABLE incoming AS SELECT * FROM read_json("
                                + SqlIdentifiers.literal(one.toString())
                                + ", columns = "
                                + SCHEMA_COLUMNS
                                + ")");
                try (ResultSet rs =
                        st.executeQuery("SELECT " + PURCHASE_COLUMNS + " FROM (" + model + ")")) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }
}
