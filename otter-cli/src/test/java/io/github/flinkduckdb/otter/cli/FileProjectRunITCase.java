package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The orders example end to end through {@code otter run} (embedded MiniCluster, file source):
 * exact rows in Parquet and DuckDB, the dead letters in the DLQ folder, {@code dlq inspect}, {@code
 * dlq replay}, {@code --dry-run} and JSON logs.
 */
class FileProjectRunITCase {

    @TempDir Path dir;

    private Cli otter(Path project, Path out, String... args) {
        List<String> all = new ArrayList<>();
        all.add("--project");
        all.add(project.toString());
        all.add("--var");
        all.add("OTTER_OUTPUT=" + out);
        all.addAll(List.of(args));
        return Cli.run(all.toArray(new String[0]));
    }

    @Test
    void runsTheOrdersExampleIntoParquetAndDuckDBThenInspectsAndReplaysTheDeadLetters()
            throws Exception {
        Path project = TestProjects.copyOrders(dir);
        Path out = dir.resolve("out");
        Cli run =
                otter(
                        project,
                        out,
                        "run",
                        "--checkpoint-interval",
                        "500ms",
                        "--progress-interval",
                        "0",
                        "--log-json",
                        "--state-dir",
                        dir.resolve("state").toString());
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out)
                .matches(
                        "(?s)otter: job [0-9a-f]{32} FINISHED\n"
                                + "  messages in     6\n"
                                + "  rows orders     4\n"
                                + "  rows purchases  6\n"
                                + "  dead letters    2\n");
        // --log-json: every log line is a JSON object.
        List<String> logLines = run.err.lines().filter(l -> !l.isBlank()).toList();
        assertThat(logLines).isNotEmpty();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : logLines) {
            assertThat(mapper.readTree(line).has("message")).as(line).isTrue();
        }
        assertThat(run.err).contains("submitted to the embedded MiniCluster");

        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        assertThat(
                        db.strings(
                                "SELECT string_agg(order_id || ':' || item_count || ':' ||"
                                        + " coalesce(order_total::VARCHAR, 'NULL') || ':' || currency,"
                                        + " ' ' ORDER BY order_id) FROM orders"))
                .containsExactly(
                        "1001:2:28.99:EUR 1002:0:NULL:EUR 1003:3:140.75:USD 1006:1:79.96:USD");
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(6);
        assertThat(db.value("SELECT sum(line_total) FROM purchases").toString())
                .isEqualTo("249.70");

        String parquet = out.resolve("parquet") + "/";
        assertThat(
                        db.strings(
                                "SELECT string_agg(currency || '=' || n, ' ' ORDER BY currency) FROM"
                                        + " (SELECT currency, count(*) AS n FROM read_parquet('"
                                        + parquet
                                        + "orders/**/*.parquet') GROUP BY currency)"))
                .containsExactly("EUR=2 USD=2");
        assertThat(db.count("SELECT count(*) FROM read_parquet('" + parquet + "**/*.parquet')"))
                .as("every Parquet file under the output, both models")
                .isEqualTo(10);
        assertThat(files(out.resolve("parquet")))
                .allMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        // A partitioned roll is one folder:
        // orders/commit_<roll>/currency=<c>/part-<roll>-<n>.parquet
        assertThat(files(out.resolve("parquet/orders")))
                .isNotEmpty()
                .allSatisfy(
                        p ->
                                assertThat(out.resolve("parquet").relativize(p).toString())
                                        .matches(
                                                "orders/commit_([0-9a-f-]+)/currency=(EUR|USD)/part-\\1-\\d+\\.parquet"));

        // The two bad orders, as Parquet dead letters.
        Cli inspect = otter(project, out, "dlq", "inspect");
        assertThat(inspect.exitCode).as(inspect.toString()).isZero();
        assertThat(inspect.out)
                .startsWith("2 dead letter(s) shown from Parquet files under " + out.resolve("dlq"))
                .contains(
                        "  stage parse\n  error: malformed JSON at line 1, column 136: Unexpected"
                                + " end-of-input: expected close marker for Array")
                .contains(
                        "  error: field 'items[0].quantity' (INTEGER): expected a whole number, got a"
                                + " string")
                .contains("  body:  {\"order_id\": 1005, \"user\": {\"id\": 9,");
        assertThat(otter(project, out, "dlq", "inspect").out)
                .as("inspect is non-destructive")
                .isEqualTo(inspect.out);
        assertThat(otter(project, out, "dlq", "inspect", "--limit", "1").out)
                .startsWith("1 dead letter(s) shown");

        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Cli replay = otter(project, out, "dlq", "replay", "--target", inbox.toString());
        assertThat(replay.exitCode).as(replay.toString()).isZero();
        assertThat(replay.out).startsWith("replayed 2 dead letter(s) from Parquet files under ");
        List<Path> replayed = files(inbox);
        assertThat(replayed).hasSize(1);
        List<String> lines = Files.readAllLines(replayed.get(0));
        List<String> fixture = Files.readAllLines(project.resolve("fixtures/orders.jsonl"));
        assertThat(lines).containsExactly(fixture.get(3), fixture.get(4));
        assertThat(otter(project, out, "dlq", "inspect").out).startsWith("0 dead letter(s)");
    }

    @Test
    void aLogLevelFlagOverridesTheLogLevelOfRunYml() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        TestProjects.write(
                project.resolve("config/run.yml"),
                "log_level: WARN\ncheckpoint_interval: 500ms\nprogress_interval: 0\n");
        Cli quiet = otter(project, dir.resolve("out1"), "run", "--state-dir", dir + "/s1");
        assertThat(quiet.exitCode).as(quiet.toString()).isZero();
        assertThat(quiet.out).contains(" FINISHED\n");
        assertThat(quiet.err).doesNotContain(" INFO ").doesNotContain(" DEBUG ");

        Cli verbose =
                otter(
                        project,
                        dir.resolve("out2"),
                        "run",
                        "--log-level",
                        "DEBUG",
                        "--state-dir",
                        dir + "/s2");
        assertThat(verbose.exitCode).as(verbose.toString()).isZero();
        assertThat(verbose.out).contains(" FINISHED\n");
        assertThat(verbose.err).contains("INFO  otter: Job ").contains(" DEBUG ");
    }

    @Test
    void dryRunPrintsOneBatchAndWritesNothing() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        Path out = dir.resolve("out");
        Cli dry = otter(project, out, "run", "--dry-run", "--model", "orders");
        assertThat(dry.exitCode).as(dry.toString()).isZero();
        assertThat(dry.out)
                .startsWith(
                        "dry run: 6 message(s) from JSON lines from "
                                + project.resolve("fixtures/orders.jsonl")
                                + " (read once); nothing written, nothing acknowledged\n")
                .contains("orders: 4 rows")
                .doesNotContain("purchases:")
                .contains("dead letters: 2");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void aJobThatFailsExitsWithItsCause() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        Path out = dir.resolve("out");
        // The DuckDB path is a folder: the sink cannot open it.
        Files.createDirectories(out.resolve("warehouse.duckdb"));
        Cli run =
                otter(
                        project,
                        out,
                        "run",
                        "--progress-interval",
                        "0",
                        "--max-restarts",
                        "0",
                        "--state-dir",
                        dir.resolve("state").toString());
        assertThat(run.exitCode).as(run.toString()).isEqualTo(1);
        assertThat(run.err).contains("otter: The job failed: ");
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
