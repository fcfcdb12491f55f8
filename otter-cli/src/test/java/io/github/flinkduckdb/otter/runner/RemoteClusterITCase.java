package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.testing.Cli;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.runtime.minicluster.MiniCluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same job on a "remote" cluster: {@code otter run --jobmanager host:port} submits through the
 * cluster's REST API (a MiniCluster with its REST endpoint stands in for a standalone cluster), and
 * the {@code flink run} entry class {@link OtterJobMain} builds the same job from a project folder.
 */
class RemoteClusterITCase {

    @TempDir Path dir;

    @Test
    void otterRunSubmitsToAClusterByItsRestAddress() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        Path out = dir.resolve("out");
        // The job's classes are on this JVM's class path (shared with the in-process cluster); the
        // shipped jar only has to exist.
        Path jar = dir.resolve("job.jar");
        try (OutputStream os = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(os, new Manifest())) {
            j.flush();
        }
        try (MiniCluster cluster = OtterRun.startMiniCluster(2)) {
            URI rest = cluster.getRestAddress().get();
            Cli run =
                    Cli.run(
                            "--project",
                            project.toString(),
                            "--var",
                            "OTTER_OUTPUT=" + out,
                            "run",
                            "--jobmanager",
                            rest.getHost() + ":" + rest.getPort(),
                            "--job-jar",
                            jar.toString(),
                            "--parallelism",
                            "2",
                            "--checkpoint-interval",
                            "500ms",
                            "--progress-interval",
                            "0",
                            "--state-dir",
                            dir.resolve("state").toString());
            assertThat(run.exitCode).as(run.toString()).isZero();
            assertThat(run.out).contains(" FINISHED\n", "  rows orders     4\n");
            assertThat(run.err).contains("submitted to " + rest);
        }
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(4);
        assertThat(db.count("SELECT count(*) FROM purchases")).isEqualTo(6);
    }

    @Test
    void theFlinkRunEntryClassBuildsTheJobFromAProjectFolder() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        Path out = dir.resolve("out2");
        // ${OTTER_OUTPUT} cannot be given to `flink run` but as an environment variable; here the
        // config names the folder directly.
        for (String f : new String[] {"config/sinks.yml", "config/sources.yml"}) {
            Path p = project.resolve(f);
            TestProjects.write(
                    p, Files.readString(p).replace("${OTTER_OUTPUT:-./output}", out.toString()));
        }
        OtterJobMain.main(
                new String[] {
                    "--project",
                    project.toString(),
                    "--checkpoint-interval",
                    "500ms",
                    "--state-dir",
                    dir.resolve("state2").toString()
                });
        DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(4);
        assertThat(
                        db.count(
                                "SELECT count(*) FROM read_parquet('"
                                        + out.resolve("parquet")
                                        + "/**/*.parquet')"))
                .isEqualTo(10);
        assertThat(
                        db.count(
                                "SELECT count(*) FROM read_parquet('"
                                        + out.resolve("dlq")
                                        + "/**/*.parquet')"))
                .isEqualTo(2);
    }
}
