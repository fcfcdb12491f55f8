package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.runner.OtterRun;
import io.github.flinkduckdb.otter.runner.RunOptions;
import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Otter project as Otter's documentation writes it: no {@code incoming} schema, Otter's single
 * {@code sink} with {@code dedupe_key}, the two documented models, messages of several shapes
 * (float and integer prices, a string order id, an extra nested field, no items, a missing field,
 * malformed JSON). {@code otter validate} accepts it, {@code otter run} publishes, for every
 * message, exactly the rows DuckDB computes for that message alone ({@code read_json_auto} of the
 * message, then the model), each Parquet file holding one shape; what DuckDB cannot compute for a
 * message alone is a dead letter. Numbers are compared as DOUBLE: DuckDB's Parquet writer stores a
 * HUGEINT (the sum of integer prices) as DOUBLE.
 */
class SchemaFreeProjectITCase {

    private static final String ORDER =
            "CAST(order_id AS VARCHAR) || '|' || user_id || '|' || coalesce(user_name, '-') || '|'"
                    + " || item_count || '|' || CAST(order_total AS DOUBLE) || '|' || currency || '|' ||"
                    + " placed_at";
    private static final String PURCHASE =
            "CAST(order_id AS VARCHAR) || '|' || sku || '|' || quantity || '|' || CAST(unit_price AS"
                    + " DOUBLE) || '|' || CAST(line_total AS DOUBLE) || '|' || placed_at";

    @TempDir Path dir;

    private static List<String> messages() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            boolean integerPrices = i % 6 == 5;
            StringBuilder items = new StringBuilder();
            for (int j = 0; j <= i % 3; j++) {
                items.append(j > 0 ? ", " : "")
                        .append(
                                String.format(
                                        Locale.ROOT,
                                        "{\"sku\": \"SKU-%d\", \"name\": \"item %d\", \"quantity\":"
                                                + " %d, \"price\": %s}",
                                        j,
                                        j,
                                        j + 1,
                                        integerPrices ? String.valueOf(3 + i) : (i + j) + ".25"));
            }
            String id = i % 11 == 7 ? "\"A-" + i + "\"" : String.valueOf(1000 + i);
            String user =
                    i % 8 == 3
                            ? "{\"id\": "
                                    + i
                                    + ", \"name\": \"u"
                                    + i
                                    + "\", \"tier\": {\"level\": 2}}"
                            : "{\"id\": " + i + ", \"name\": \"u" + i + "\"}";
            out.add(
                    String.format(
                            Locale.ROOT,
                            "{\"order_id\": %s, \"user\": %s, \"items\": [%s], \"currency\":"
                                    + " \"%s\", \"placed_at\": \"2024-05-01 10:%02d:00\"}",
                            id,
                            user,
                            items,
                            i % 2 == 0 ? "EUR" : "USD",
                            i));
        }
        // No items: DuckDB types [] as JSON[], which has no fields: both models fail alone.
        out.add(
                "{\"order_id\": 2000, \"user\": {\"id\": 1, \"name\": \"x\"}, \"items\": [],"
                        + " \"currency\": \"EUR\", \"placed_at\": \"2024-05-01 11:00:00\"}");
        // No placed_at: both models name it.
        out.add(
                "{\"order_id\": 2001, \"user\": {\"id\": 1, \"name\": \"x\"}, \"items\":"
                        + " [{\"sku\": \"S\", \"name\": \"n\", \"quantity\": 1, \"price\": 2.5}],"
                        + " \"currency\": \"EUR\"}");
        out.add("{\"order_id\": 2002, \"user\": ");
        return out;
    }

    @Test
    void otterDocumentedProjectRunsWithoutASchema() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        List<String> messages = messages();
        Files.write(project.resolve("fixtures/messages.jsonl"), messages);
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n  type: file\n  path: fixtures/messages.jsonl\n  dlq_path: ./dlq\n");
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: parquet\n  path: ./output\n  dedupe_key: order_id\n");
        TestProjects.write(
                project.resolve("config/models.yml"),
                "max_file_bytes: 134217728\nmax_age_seconds: 300\n");

        Reference expected = reference(project, messages);
        assertThat(expected.orders).hasSize(24);
        assertThat(expected.deadLetters).as("2 x 2 models + 1 malformed").isEqualTo(5);

        Cli validate = Cli.run("--project", project.toString(), "validate");
        assertThat(validate.exitCode).as(validate.toString()).isZero();
        assertThat(validate.out)
                .contains("incoming (no incoming.schema): each message typed alone")
                .contains("models/purchases.sql  columns follow each message's shape")
                // The fixtures' shapes, to pin as incoming.schema.
                .contains(
                        "shape of 3 of 6 message(s) in fixtures/orders.jsonl: \"order_id\""
                                + " BIGINT, \"user\" STRUCT(\"id\" BIGINT, \"name\" VARCHAR)")
                .contains("more shape(s) in fixtures/messages.jsonl");

        Cli test =
                Cli.run(
                        "--project",
                        project.toString(),
                        "test",
                        "--fixture",
                        "fixtures/messages.jsonl");
        assertThat(test.out)
                .as(test.toString())
                .contains("orders: 24 rows")
                .contains("purchases: " + expected.purchases.size() + " rows")
                .contains("dead letters: 5");
        Cli models = Cli.run("--project", project.toString(), "models", "list");
        assertThat(models.exitCode).as(models.toString()).isZero();
        assertThat(models.out).contains("orders  models/orders.sql  columns follow each message's");

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
                .contains("  messages in     27\n")
                .contains("  rows orders     24\n")
                .contains("  rows purchases  " + expected.purchases.size() + "\n")
                .contains("  dead letters    5\n");
        assertThat(run.err + run.out).contains("Message shape");

        Path output = project.resolve("output");
        assertThat(rows(output.resolve("orders"), ORDER)).isEqualTo(expected.orders);
        assertThat(rows(output.resolve("purchases"), PURCHASE)).isEqualTo(expected.purchases);
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM read_parquet("
                                        + SqlIdentifiers.literal(
                                                project.resolve("dlq") + "/**/*.parquet")
                                        + ")")) {
            rs.next();
            assertThat(rs.getLong(1)).as("dead letters in the DLQ").isEqualTo(5);
        }
    }

    /**
     * The same project consuming from RabbitMQ (the source config as in {@link
     * TestProjects#rabbitMQOrders}), stopped with Ctrl-C's stop once everything is consumed: the
     * same rows, the dead letters in the DLQ queue, the source queue drained.
     */
    @Test
    void theSameProjectOnRabbitMQ() throws Exception {
        try (Rabbit rabbit = new Rabbit()) {
            String queue = rabbit.queue("otter-it-schema-free");
            String dlq = queue + ".dlq";
            rabbit.forget(dlq);
            Path project = TestProjects.rabbitMQOrders(dir, queue, dlq, 500, 10, 0);
            TestProjects.write(
                    project.resolve("config/sinks.yml"),
                    "sink:\n  type: parquet\n  path: ./output\n  dedupe_key: order_id\n");
            TestProjects.write(
                    project.resolve("config/models.yml"),
                    "max_file_bytes: 134217728\nmax_age_seconds: 0\n");
            List<String> messages = messages();
            for (int i = 0; i < messages.size(); i++) {
                rabbit.publish(queue, messages.get(i), "sf-" + i);
            }
            Reference expected = reference(project, messages);

            OtterProject p = OtterRuns.load(project, dir.resolve("out"));
            OtterRun run =
                    OtterRuns.embedded(p, dir.resolve("state"), true, RunOptions.ANY_PORT, 3);
            CompletableFuture<OtterRun.Summary> done = OtterRuns.async(run);
            assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
            Path output = project.resolve("output");
            Poll.until(
                    "every row and dead letter",
                    Duration.ofSeconds(90),
                    () ->
                            rabbit.count(dlq) == expected.deadLetters
                                    && rabbit.count(queue) == 0
                                    && published(output.resolve("orders")) == expected.orders.size()
                                    && published(output.resolve("purchases"))
                                            == expected.purchases.size());
            run.requestStop();
            OtterRun.Summary summary = done.get(2, TimeUnit.MINUTES);
            OtterRuns.assertStopped(summary);

            assertThat(rows(output.resolve("orders"), ORDER)).isEqualTo(expected.orders);
            assertThat(rows(output.resolve("purchases"), PURCHASE)).isEqualTo(expected.purchases);
            assertThat(rabbit.count(dlq)).isEqualTo(expected.deadLetters);
            assertThat(rabbit.count(queue)).isZero();
        }
    }

    private static long published(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        return rows(folder, "1").size();
    }

    /** Each published file read with its own schema (files of one roll may differ). */
    private static List<String> rows(Path folder, String expression) throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
        List<String> out = new ArrayList<>();
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            for (Path f : files) {
                try (ResultSet rs =
                        st.executeQuery(
                                "SELECT "
                                        + expression
                                        + " FROM read_parquet("
                                        + SqlIdentifiers.literal(f.toString())
                                        + ")")) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static final class Reference {
        final List<String> orders = new ArrayList<>();
        final List<String> purchases = new ArrayList<>();
        int deadLetters;
    }

    /**
     * What DuckDB computes for each message alone: the message typed by {@code read_json_auto}
     * (dates sniffed: only text is compared), then each model; an error is a dead letter.
     */
    private Reference reference(Path project, List<String> messages) throws Exception {
        String orders = Files.readString(project.resolve("models/orders.sql"));
        String purchases = Files.readString(project.resolve("models/purchases.sql"));
        Path one = dir.resolve("one-message.json");
        Reference r = new Reference();
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            for (String message : messages) {
                Files.writeString(one, message);
                try {
                    st.execute(
                            "CREATE OR REPLACE TABLE incoming AS SELECT * FROM read_json_auto("
                                    + SqlIdentifiers.literal(one.toString())
                                    + ")");
                } catch (SQLException e) {
                    r.deadLetters++;
                    continue;
                }
                r.deadLetters += collect(c, ORDER, orders, r.orders);
                r.deadLetters += collect(c, PURCHASE, purchases, r.purchases);
            }
        }
        r.orders.sort(null);
        r.purchases.sort(null);
        return r;
    }

    private static int collect(Connection c, String expression, String model, List<String> out) {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT " + expression + " FROM (" + model + ")")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        } catch (SQLException e) {
            return 1;
        }
        out.addAll(rows);
        return 0;
    }
}
