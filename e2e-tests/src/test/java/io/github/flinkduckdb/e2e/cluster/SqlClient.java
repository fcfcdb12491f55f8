package io.github.flinkduckdb.e2e.cluster;

import io.github.flinkduckdb.testing.brokers.TestJvms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Flink SQL client as a user runs it: {@code SqlClient embedded --jar <connector> -f
 * script.sql}, from Maven Central jars, submitting to the standalone cluster.
 */
public final class SqlClient {

    /** What the client printed and how it exited. */
    public static final class Result {
        public final int exitCode;
        public final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        /** The client exits 0 even when a statement fails; its output says "[ERROR]" then. */
        public boolean hasErrors() {
            return exitCode != 0 || output.contains("[ERROR]");
        }
    }

    private SqlClient() {}

    public static Result run(
            FlinkStandaloneCluster cluster, Path work, Path connectorJar, String script)
            throws IOException, InterruptedException {
        Path conf = Files.createDirectories(work.resolve("sql-client-conf"));
        Files.write(
                conf.resolve("config.yaml"),
                String.join(
                                "\n",
                                "execution.target: remote",
                                "rest.address: 127.0.0.1",
                                "rest.port: " + cluster.restPort(),
                                "jobmanager.rpc.address: 127.0.0.1",
                                "")
                        .getBytes(StandardCharsets.UTF_8));
        Files.write(
                conf.resolve("log4j-cli.properties"),
                String.join(
                                "\n",
                                "rootLogger.level = INFO",
                                "rootLogger.appenderRef.file.ref = FileAppender",
                                "appender.file.name = FileAppender",
                                "appender.file.type = File",
                                "appender.file.fileName = "
                                        + work.resolve("sql-client.log").toAbsolutePath(),
                                "appender.file.layout.type = PatternLayout",
                                "appender.file.layout.pattern = %d %-5p %c{1} %m%n",
                                "")
                        .getBytes(StandardCharsets.UTF_8));
        Path scriptFile = work.resolve("script.sql");
        Files.write(scriptFile, script.getBytes(StandardCharsets.UTF_8));

        Path clusterLib = Paths.get(System.getProperty("e2e.flink.lib"));
        Path clientLib = Paths.get(System.getProperty("e2e.sql.client.lib"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        cmd.addAll(TestJvms.QUICK_START);
        cmd.addAll(FlinkStandaloneCluster.JAVA_17_OPENS);
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j-cli.properties").toUri());
        cmd.add("-cp");
        cmd.add(clusterLib.toAbsolutePath() + "/*:" + clientLib.toAbsolutePath() + "/*");
        cmd.add("org.apache.flink.table.client.SqlClient");
        cmd.add("embedded");
        cmd.add("--jar");
        cmd.add(connectorJar.toAbsolutePath().toString());
        cmd.add("-f");
        cmd.add(scriptFile.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLINK_CONF_DIR", conf.toAbsolutePath().toString());
        pb.redirectOutput(work.resolve("sql-client.out").toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "The SQL client did not finish within 5 minutes:\n"
                            + Files.readString(work.resolve("sql-client.out")));
        }
        return new Result(p.exitValue(), Files.readString(work.resolve("sql-client.out")));
    }
}
