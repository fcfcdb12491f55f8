package io.github.flinkduckdb.e2e.otter;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged distribution ({@code bin/otter} and the shaded jars) as a user runs it: a new
 * project, validated, run on the embedded MiniCluster with JSON logs, rows in DuckDB.
 */
class OtterDistributionE2E {

    @TempDir Path dir;

    private static final class Run {
        final int exit;
        final String out;

        Run(int exit, String out) {
            this.exit = exit;
            this.out = out;
        }
    }

    private Run otter(Path cwd, String... args) throws Exception {
        Path launcher =
                Paths.get(System.getProperty("e2e.otter.distribution"), "bin", "otter")
                        .toAbsolutePath();
        List<String> cmd = new ArrayList<>();
        cmd.add("sh");
        cmd.add(launcher.toString());
        cmd.addAll(Arrays.asList(args));
        Path log = Files.createTempFile(dir, "otter", ".out");
        Process p =
                new ProcessBuilder(cmd)
                        .directory(cwd.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        assertThat(p.waitFor(4, TimeUnit.MINUTES))
                .as("otter %s finished", Arrays.toString(args))
                .isTrue();
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void initValidateAndRunWithJsonLogs() throws Exception {
        Run init = otter(dir, "init", "shop");
        assertThat(init.exit).as(init.out).isZero();
        Path project = dir.resolve("shop");
        assertThat(project.resolve("models/orders.sql")).exists();

        Run validate = otter(project, "validate");
        assertThat(validate.exit).as(validate.out).isZero();

        Run run = otter(project, "run", "--log-json");
        assertThat(run.exit).as(run.out).isZero();
        ObjectMapper json = new ObjectMapper();
        int jsonLines = 0;
        for (String line : run.out.split("\\R")) {
            if (line.startsWith("{")) {
                JsonNode node = json.readTree(line);
                assertThat(node.has("message")).as(line).isTrue();
                jsonLines++;
            }
        }
        assertThat(jsonLines).as(run.out).isPositive();

        DuckDBTestDatabase duck = DuckDBTestDatabase.at(project.resolve("output/warehouse.duckdb"));
        assertThat(duck.count("SELECT count(*) FROM orders")).isEqualTo(4);
        assertThat(duck.count("SELECT count(*) FROM purchases")).isEqualTo(6);
    }
}
