package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.TestProjects;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command that needs no broker, through {@code OtterCli.execute} (what {@code main} runs):
 * output and exit codes, including the errors.
 */
class OtterCliTest {

    @TempDir Path dir;
    private Path project;

    @BeforeEach
    void setUp() throws Exception {
        project = TestProjects.copyOrders(dir);
    }

    private Cli otter(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--project";
        all[1] = project.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(all);
    }

    @Test
    void helpListsEveryCommand() {
        Cli c = Cli.run("--help");
        assertThat(c.exitCode).as(c.toString()).isZero();
        for (String command :
                List.of(
                        "otter init",
                        "otter validate",
                        "otter test --fixture",
                        "otter models list",
                        "otter run [--model m] [--dry-run] [--log-json] [--log-level L] [--config d]",
                        "[--jobmanager host:port] [--parallelism n] [--checkpoint-interval d]",
                        "otter dlq inspect [--limit N]",
                        "otter dlq replay [--target queue]")) {
            assertThat(c.out).contains(command);
        }
        assertThat(Cli.run("run", "--help").out)
                .contains("--dry-run", "--[no-]log-json", "--jobmanager", "--checkpoint-interval");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Cli c = Cli.run("validate", "--nope");
        assertThat(c.exitCode).isEqualTo(2);
        assertThat(c.err).contains("Unknown option: '--nope'");
    }

    @Test
    void initScaffoldsARunnableProject() throws Exception {
        Path target = dir.resolve("my-pipeline");
        Cli c = Cli.run("init", target.toString());
        assertThat(c.exitCode).as(c.toString()).isZero();
        for (String f : InitCommand.FILES) {
            assertThat(target.resolve(f)).isRegularFile();
            assertThat(c.out).contains("created " + target.resolve(f));
        }
        assertThat(target.resolve(".gitignore")).hasContent("output/\n.otter/");
        assertThat(Files.readString(target.resolve("models/orders.sql")))
                .isEqualTo(
                        Files.readString(
                                TestProjects.ordersExample().resolve("models/orders.sql")));
        Cli validate = Cli.run("--project", target.toString(), "validate");
        assertThat(validate.exitCode).as(validate.toString()).isZero();

        Cli again = Cli.run("init", target.toString());
        assertThat(again.exitCode).isEqualTo(2);
        assertThat(again.err).contains("already exists and is not empty");
    }

    @Test
    void validateReportsEveryPartWithoutConnecting() {
        Cli c = otter("validate");
        assertThat(c.exitCode).as(c.toString()).isZero();
        assertThat(c.out)
                .contains(
                        "ok  config/sources.yml  JSON lines from "
                                + project.resolve("fixtures/orders.jsonl")
                                + " (read once)")
                .contains("ok  models/orders.sql  row-local, 7 columns")
                .contains("ok  models/purchases.sql  row-local, 8 columns")
                .contains(
                        "    incoming (declared): \"order_id\" BIGINT, \"user\" STRUCT(\"id\""
                                + " BIGINT, \"name\" VARCHAR), \"items\" STRUCT(")
                .contains("valid: 2 model(s), source file, 2 output(s)");
    }

    @Test
    void validatePrintsAnInferredIncomingSchemaSoItCanBePinned() throws Exception {
        // The fixture's first three orders (its fourth line is malformed on purpose).
        List<String> orders = Files.readAllLines(project.resolve("fixtures/orders.jsonl"));
        Files.write(project.resolve("fixtures/good.jsonl"), orders.subList(0, 3));
        Path models = project.resolve("config/models.yml");
        String yaml = Files.readString(models);
        Files.writeString(
                models,
                yaml.substring(0, yaml.indexOf("incoming:"))
                        + "incoming:\n  infer_from: fixtures/good.jsonl\n");
        Cli c = otter("validate");
        assertThat(c.exitCode).as(c.toString()).isZero();
        // Whole numbers are BIGINT, prices with a fraction DOUBLE, and strings are not sniffed for
        // timestamps: placed_at is VARCHAR, to be pinned as TIMESTAMP.
        assertThat(c.out)
                .contains(
                        "\n    incoming (inferred from fixtures/good.jsonl): \"order_id\" BIGINT,"
                                + " \"user\" STRUCT(\"id\" BIGINT, \"name\" VARCHAR), \"items\""
                                + " STRUCT(\"sku\" VARCHAR, \"name\" VARCHAR, \"quantity\" BIGINT,"
                                + " \"price\" DOUBLE)[], \"currency\" VARCHAR, \"placed_at\""
                                + " VARCHAR\n");
    }

    @Test
    void validateTakesConfigAndModelsFoldersFromElsewhere() throws Exception {
        Path config = Files.move(project.resolve("config"), dir.resolve("elsewhere-config"));
        Path models = Files.move(project.resolve("models"), dir.resolve("elsewhere-models"));
        Cli c = otter("validate", "--config", config.toString(), "--models", models.toString());
        assertThat(c.exitCode).as(c.toString()).isZero();
        assertThat(c.out)
                .contains("ok  " + config + "/sources.yml")
                .contains("ok  " + models.resolve("orders.sql") + "  row-local");
        Cli missing = otter("validate");
        assertThat(missing.exitCode).isEqualTo(3);
        assertThat(missing.err)
                .isEqualTo(
                        "otter: config error: config: the config folder does not exist (run `otter"
                                + " init` to create a project)\n");
    }

    @Test
    void validateNamesFileKeyAndLineOfABadConfig() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sinks:\n  parquet:\n    path: out\n    compression: brotli9\n");
        Cli c = otter("validate");
        assertThat(c.exitCode).isEqualTo(3);
        assertThat(c.err)
                .startsWith(
                        "otter: config error: config/sinks.yml:4:18: sinks.parquet.compression:"
                                + " unknown compression 'brotli9'");
    }

    @Test
    void validateRejectsAPartitionColumnTheModelLacks() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sinks:\n  parquet:\n    path: out\n    partition_by:\n      purchases: [currency]\n");
        Cli c = otter("validate");
        assertThat(c.exitCode).isEqualTo(3);
        assertThat(c.err)
                .contains(
                        "config/sinks.yml:5:18: sinks.parquet.partition_by.purchases: partition_by"
                                + " names column 'currency', which model 'purchases' does not have");
    }

    @Test
    void validateWarnsWhenTheDedupeKeyCannotIdentifyARowOfAOneToManyModel() throws Exception {
        // Otter's own single-sink form: one key for every model.
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: parquet\n  path: ./output\n  dedupe_key: order_id\n");
        Cli c = otter("validate");
        assertThat(c.exitCode).as(c.toString()).isZero();
        assertThat(c.out.lines().filter(l -> l.startsWith("warn ")))
                .containsExactly(
                        "warn config/sinks.yml:4:15: sink.dedupe_key: dedupe_key [order_id] may not"
                                + " identify a row of model 'purchases': one message can yield"
                                + " several rows (it reads the table function unnest), which then"
                                + " share the key. Every row is written; readers that de-duplicate"
                                + " by this key would drop rows. Add a column that tells a"
                                + " message's rows apart, per model: {purchases: [order_id, <column>]}");
        assertThat(c.out).contains("valid: 2 model(s)");

        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: parquet\n  path: ./output\n  dedupe_key:\n"
                        + "    orders: order_id\n    purchases: [order_id, sku]\n");
        Cli perModel = otter("validate");
        assertThat(perModel.exitCode).as(perModel.toString()).isZero();
        assertThat(perModel.out)
                .as("a key chosen for the model is trusted")
                .doesNotContain("warn ");

        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: parquet\n  path: ./output\n  dedupe_key: [order_id, line]\n");
        Cli unknown = otter("validate");
        assertThat(unknown.exitCode).isEqualTo(3);
        assertThat(unknown.err)
                .contains(
                        "config/sinks.yml:4:15: sink.dedupe_key: dedupe_key names column 'line',"
                                + " which model 'orders' does not have");
    }

    @Test
    void validateRejectsAnOverrideForAModelThatDoesNotExist() throws Exception {
        String models = Files.readString(project.resolve("config/models.yml"));
        TestProjects.write(
                project.resolve("config/models.yml"),
                models.replace(
                        "  purchases:\n    max_file_bytes", "  purchase:\n    max_file_bytes"));
        Cli c = otter("validate");
        assertThat(c.exitCode).isEqualTo(3);
        assertThat(c.err)
                .contains("config/models.yml:")
                .contains("overrides.purchase: no model named 'purchase'");
    }

    @Test
    void aMissingVariableIsAConfigError() throws Exception {
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n  type: rabbitmq\n  queue: q\n  password: ${OTTER_TEST_NOT_SET}\n");
        Cli c = otter("validate");
        assertThat(c.exitCode).isEqualTo(3);
        assertThat(c.err)
                .contains(
                        "config/sources.yml:4:13: environment variable OTTER_TEST_NOT_SET is not set");
        Cli given = otter("--var", "OTTER_TEST_NOT_SET=pw", "validate");
        assertThat(given.exitCode).as(given.toString()).isZero();
        assertThat(given.out)
                .doesNotContain("pw@")
                .contains("rabbitmq queue 'q' on guest@localhost");
    }

    @Test
    void aModelWithASqlErrorFailsValidationWithItsName() throws Exception {
        TestProjects.write(
                project.resolve("models/broken.sql"),
                "SELECT incoming.order_id FROM incoming WHERE");
        Cli c = otter("validate");
        assertThat(c.exitCode).isEqualTo(4);
        assertThat(c.err).startsWith("otter: model error: ").contains("broken");
    }

    @Test
    void testPrintsEachModelsRowsForAFixture() {
        Cli c = otter("test", "--fixture", "fixtures/sample_order.json");
        assertThat(c.exitCode).as(c.toString()).isZero();
        assertThat(c.out)
                .isEqualTo(
                        String.join(
                                "\n",
                                "orders: 1 row",
                                "| order_id | user_id | user_name | item_count | order_total | currency | placed_at           |",
                                "|----------|---------|-----------|------------|-------------|----------|---------------------|",
                                "| 1001     | 7       | Ada       | 2          | 28.99       | EUR      | 2024-05-01 09:15:00 |",
                                "",
                                "purchases: 2 rows",
                                "| order_id | sku     | product_name | quantity | unit_price | line_total | user_id | placed_at           |",
                                "|----------|---------|--------------|----------|------------|------------|---------|---------------------|",
                                "| 1001     | DUCK-1  | Rubber duck  | 2        | 4.50       | 9.00       | 7       | 2024-05-01 09:15:00 |",
                                "| 1001     | OTTER-9 | Otter plush  | 1        | 19.99      | 19.99      | 7       | 2024-05-01 09:15:00 |",
                                "",
                                "dead letters: 0",
                                ""));
    }

    @Test
    void testPrintsJsonForOneModel() throws Exception {
        Cli c =
                otter(
                        "test",
                        "--fixture",
                        project.resolve("fixtures/orders.jsonl").toString(),
                        "--model",
                        "models/purchases.sql",
                        "--json");
        assertThat(c.exitCode).as(c.toString()).isZero();
        JsonNode json = exact().readTree(c.out);
        assertThat(json.path("models").size()).isEqualTo(1);
        JsonNode purchases = json.path("models").path("purchases");
        assertThat(purchases.size()).isEqualTo(6);
        assertThat(purchases.get(2).toString())
                .isEqualTo(
                        "{\"order_id\":1003,\"sku\":\"DUCK-1\",\"product_name\":\"Rubber duck\","
                                + "\"quantity\":10,\"unit_price\":4.50,\"line_total\":45.00,"
                                + "\"user_id\":7,\"placed_at\":\"2024-05-01 10:05:00\"}");
        JsonNode dead = json.path("dead_letters");
        assertThat(dead.size()).isEqualTo(2);
        assertThat(dead.get(0).path("message").asInt()).isEqualTo(4);
        assertThat(dead.get(0).path("stage").asText()).isEqualTo("parse");
        assertThat(dead.get(1).path("error").asText())
                .isEqualTo(
                        "field 'items[0].quantity' (INTEGER): expected a whole number, got a string");
        assertThat(dead.get(1).path("body").asText()).contains("\"quantity\": \"two\"");
    }

    private static ObjectMapper exact() {
        return new ObjectMapper()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    }

    @Test
    void testWithAMissingFixtureFails() {
        Cli c = otter("test", "--fixture", "fixtures/nope.json");
        assertThat(c.exitCode).isEqualTo(5);
        assertThat(c.err).isEqualTo("otter: fixture file not found: fixtures/nope.json\n");
    }

    @Test
    void anUnknownModelFails() {
        Cli c = otter("test", "--fixture", "fixtures/sample_order.json", "--model", "refunds.sql");
        assertThat(c.exitCode).isEqualTo(4);
        assertThat(c.err)
                .isEqualTo(
                        "otter: unknown model 'refunds.sql': the models in models are orders,"
                                + " purchases\n");
    }

    @Test
    void testNeedsNoSourceOrSinkConfig() throws Exception {
        // A password variable that is not set does not matter to `otter test`.
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n  type: rabbitmq\n  queue: q\n  password: ${OTTER_TEST_NOT_SET}\n");
        Cli c = otter("test", "--fixture", "fixtures/sample_order.json");
        assertThat(c.exitCode).as(c.toString()).isZero();
    }

    @Test
    void modelsListShowsFilesExecutionAndSchema() throws Exception {
        TestProjects.write(
                project.resolve("models/order_count.sql"),
                "SELECT count(*) AS n FROM incoming, unnest(incoming.items)");
        TestProjects.write(
                project.resolve("models/first_item.sql"),
                "SELECT unnest.sku FROM incoming, unnest(incoming.items) LIMIT 1");
        Cli c = otter("models", "list");
        assertThat(c.exitCode).as(c.toString()).isZero();
        assertThat(c.out)
                .contains(
                        "first_item  models/first_item.sql  per message (it uses LIMIT/OFFSET;"
                                + " it uses LIMIT or DISTINCT ON without ORDER BY",
                        "order_count  models/order_count.sql  batched by message (runs once per"
                                + " micro-batch, each message's rows computed separately; not"
                                + " row-local: it uses the aggregate count_star)",
                        "    n  BIGINT",
                        "orders  models/orders.sql  row-local (runs once per micro-batch)",
                        "    order_total  DECIMAL(38,2)",
                        "purchases  models/purchases.sql  row-local (runs once per micro-batch)",
                        "4 model(s)");
        JsonNode json = new ObjectMapper().readTree(otter("models", "list", "--json").out);
        assertThat(json.get(0).path("name").asText()).isEqualTo("first_item");
        assertThat(json.get(0).path("row_local").asBoolean()).isFalse();
        assertThat(json.get(0).path("batched").asBoolean()).isFalse();
        assertThat(json.get(1).path("name").asText()).isEqualTo("order_count");
        assertThat(json.get(1).path("row_local").asBoolean()).isFalse();
        assertThat(json.get(1).path("batched").asBoolean()).isTrue();
        assertThat(json.get(2).path("row_local").asBoolean()).isTrue();
        assertThat(json.get(2).path("batched").asBoolean()).isTrue();
        assertThat(json.get(2).path("columns").get(0).toString())
                .isEqualTo("{\"name\":\"order_id\",\"type\":\"BIGINT\"}");
    }

    @Test
    void theLauncherScriptRunsTheCli() throws Exception {
        Path script = Paths.get(System.getProperty("otter.dist", "src/main/dist"), "bin/otter");
        ProcessBuilder pb = new ProcessBuilder("sh", script.toString(), "--version");
        pb.environment().put("OTTER_CLASSPATH", System.getProperty("java.class.path"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("otter 0.1.0-SNAPSHOT (Flink 1.20)");
    }
}
