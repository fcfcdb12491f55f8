package io.github.flinkduckdb.e2e.cluster;

import io.github.flinkduckdb.testing.brokers.LocalPorts;
import io.github.flinkduckdb.testing.brokers.TestJvms;

import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink standalone session cluster made of real processes: one JobManager JVM and N TaskManager
 * JVMs, started from the Flink jars Maven resolved (flink-dist is not published to Maven Central),
 * bound to 127.0.0.1, with checkpoints in a local directory. TaskManagers can be killed with
 * SIGKILL and replaced. {@link #close()} (also run by a shutdown hook) stops all.
 *
 * <p>The same code starts Flink 1.20 and 2.x: both lines start their processes with the same
 * entrypoint classes and {@code BashJavaUtils} commands, and both read {@code conf/config.yaml}
 * (standard YAML; 1.20 reads it since 1.19, 2.x reads nothing else, the legacy {@code
 * flink-conf.yaml} is gone there). The settings use the keys both lines know ({@code
 * execution.checkpointing.dir}, {@code taskmanager.load-balance.mode}); 2.x dropped the older
 * {@code cluster.evenly-spread-out-slots}. Which line runs comes from the jars in the lib folder;
 * with the system property {@code e2e.flink.version} set, {@link #start} checks that the cluster
 * reports that version.
 */
public final class FlinkStandaloneCluster implements AutoCloseable {

    /** The opens Flink's default {@code env.java.opts.all} gives Java 17. */
    static final List<String> JAVA_17_OPENS =
            Arrays.asList(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
                    "--add-opens=java.base/java.math=ALL-UNNAMED",
                    "--add-opens=java.sql/java.sql=ALL-UNNAMED");

    private final Path home;
    private final Path lib;
    private final int slotsPerTaskManager;
    private final int restPort;
    private final int rpcPort;
    private final Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private int taskManagerCount;
    private final Thread shutdownHook = new Thread(this::destroyAll, "flink-cluster-shutdown");

    private FlinkStandaloneCluster(Path home, Path lib, int taskManagers, int slots)
            throws IOException, InterruptedException {
        this.home = home;
        this.lib = lib;
        this.slotsPerTaskManager = slots;
        this.restPort = LocalPorts.unused();
        this.rpcPort = LocalPorts.unused();
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("log"));
        Files.createDirectories(home.resolve("tmp"));
        writeConfig();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.jobManager =
                launch(
                        "jobmanager",
                        "GET_JM_RESOURCE_PARAMS",
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        for (int i = 0; i < taskManagers; i++) {
            startTaskManager();
        }
    }

    /** A fresh folder for one test class under {@code e2e.work.dir} (default target/e2e). */
    public static Path workDirectory(String prefix) throws IOException {
        return Files.createDirectories(
                Paths.get(System.getProperty("e2e.work.dir", "target/e2e"))
                        .resolve(prefix + "-" + System.currentTimeMillis()));
    }

    /**
     * A JUnit extension that prints the cluster's logs when a test fails; {@code cluster} gives the
     * cluster of the test class (null before it started).
     */
    public static TestExecutionExceptionHandler printLogsOnFailure(
            Supplier<FlinkStandaloneCluster> cluster) {
        return (context, failure) -> {
            FlinkStandaloneCluster c = cluster.get();
            if (c != null) {
                System.err.println(
                        "Cluster logs for " + context.getDisplayName() + ":\n" + c.logs());
            }
            throw failure;
        };
    }

    /**
     * Starts a cluster and waits until all TaskManagers registered their slots.
     *
     * @param home a fresh directory for conf/, log/, checkpoints/
     */
    public static FlinkStandaloneCluster start(Path home, int taskManagers, int slots)
            throws Exception {
        Path lib = Paths.get(System.getProperty("e2e.flink.lib", "target/flink-lib"));
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(
                    "No Flink lib folder at "
                            + lib
                            + "; run the e2e tests through Maven (mvn verify)");
        }
        for (int attempt = 1; ; attempt++) {
            FlinkStandaloneCluster cluster =
                    new FlinkStandaloneCluster(home, lib, taskManagers, slots);
            try {
                cluster.awaitSlots(taskManagers * slots, Duration.ofSeconds(90));
                cluster.checkVersion();
                return cluster;
            } catch (Exception | AssertionError e) {
                String logs = cluster.logs();
                cluster.close();
                // Another server may bind a chosen port before the JobManager does: new ports.
                if (attempt < 3 && logs.contains("BindException")) {
                    System.err.println(
                            "The JobManager could not bind its ports (attempt "
                                    + attempt
                                    + "); starting again on others:\n"
                                    + logs);
                    moveLogs(home, attempt);
                    continue;
                }
                throw new IllegalStateException("The Flink cluster did not start:\n" + logs, e);
            }
        }
    }

    /** Keeps a failed start's logs in log-attempt-N/, so the next start's logs stand alone. */
    private static void moveLogs(Path home, int attempt) throws IOException {
        Files.move(home.resolve("log"), home.resolve("log-attempt-" + attempt));
    }

    /**
     * The Flink version of the jars in the lib folder (from {@code flink-runtime-<version>.jar}),
     * e.g. {@code 1.20.3} or {@code 2.2.0}.
     */
    public static String libVersion(Path lib) throws IOException {
        String prefix = "flink-runtime-";
        try (Stream<Path> jars = Files.list(lib)) {
            return jars.map(j -> j.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith(".jar"))
                    .filter(n -> Character.isDigit(n.charAt(prefix.length())))
                    .map(n -> n.substring(prefix.length(), n.length() - ".jar".length()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("No flink-runtime jar in " + lib));
        }
    }

    /** The Flink version of this cluster's jars. */
    public String flinkVersion() throws IOException {
        return libVersion(lib);
    }

    /**
     * Checks that the running JobManager reports the version of the jars in lib/ and, when the
     * build set {@code e2e.flink.version}, that version: a module that means to test one Flink line
     * must not silently run another.
     */
    private void checkVersion() throws Exception {
        String running = rest().flinkVersion();
        String jars = flinkVersion();
        String expected = System.getProperty("e2e.flink.version", jars);
        if (!running.equals(jars) || !running.equals(expected)) {
            throw new IllegalStateException(
                    "The cluster runs Flink "
                            + running
                            + " from jars of "
                            + jars
                            + "; this test run expects "
                            + expected);
        }
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    public FlinkRestClient rest() {
        return new FlinkRestClient(restUrl());
    }

    public Path home() {
        return home;
    }

    public Path checkpointDir() {
        return home.resolve("checkpoints");
    }

    /** Starts one more TaskManager process. */
    public synchronized Process startTaskManager() throws IOException, InterruptedException {
        Process tm =
                launch(
                        "taskmanager-" + (taskManagerCount++),
                        "GET_TM_RESOURCE_PARAMS",
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        taskManagers.add(tm);
        return tm;
    }

    /** The log file of TaskManager {@code index} (in the order they were started). */
    public Path taskManagerLog(int index) {
        return home.resolve("log/taskmanager-" + index + ".log");
    }

    /** Kills a TaskManager with SIGKILL, as a crashed machine would. */
    public synchronized void killTaskManager(int index) throws InterruptedException {
        Process tm = taskManagers.get(index);
        tm.destroyForcibly();
        tm.waitFor(30, TimeUnit.SECONDS);
    }

    public synchronized List<Process> taskManagers() {
        return new ArrayList<>(taskManagers);
    }

    /** Waits until the cluster offers at least {@code slots} free or used slots. */
    public void awaitSlots(int slots, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                if (rest().totalSlots() >= slots) {
                    return;
                }
            } catch (IOException notUpYet) {
                // the REST endpoint is not listening yet
            }
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("The JobManager process died");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "Only " + safeSlots() + " of " + slots + " slots after " + timeout);
            }
            Thread.sleep(200);
        }
    }

    private int safeSlots() {
        try {
            return rest().totalSlots();
        } catch (Exception e) {
            return -1;
        }
    }

    private void writeConfig() throws IOException {
        Path checkpoints = checkpointDir();
        Files.createDirectories(checkpoints);
        String yaml =
                String.join(
                        "\n",
                        "jobmanager.rpc.address: 127.0.0.1",
                        "jobmanager.rpc.port: " + rpcPort,
                        "jobmanager.bind-host: 127.0.0.1",
                        "rest.address: 127.0.0.1",
                        "rest.bind-address: 127.0.0.1",
                        "rest.port: " + restPort,
                        "taskmanager.host: 127.0.0.1",
                        "taskmanager.bind-host: 127.0.0.1",
                        "taskmanager.rpc.port: 0",
                        "taskmanager.numberOfTaskSlots: " + slotsPerTaskManager,
                        "jobmanager.memory.process.size: 1024m",
                        "taskmanager.memory.process.size: 1400m",
                        "taskmanager.memory.managed.fraction: 0.05",
                        "taskmanager.memory.network.min: 64m",
                        "taskmanager.memory.network.max: 64m",
                        "taskmanager.load-balance.mode: SLOTS",
                        "execution.checkpointing.storage: filesystem",
                        "execution.checkpointing.dir: " + checkpoints.toUri(),
                        "restart-strategy.type: fixed-delay",
                        "restart-strategy.fixed-delay.attempts: 20",
                        "restart-strategy.fixed-delay.delay: 1 s",
                        "heartbeat.interval: 1000",
                        "heartbeat.timeout: 8000",
                        "io.tmp.dirs: " + home.resolve("tmp"),
                        "web.tmpdir: " + home.resolve("tmp"),
                        "env.java.opts.all: " + String.join(" ", JAVA_17_OPENS),
                        "");
        Files.write(home.resolve("conf/config.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
        String log4j =
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = MainAppender",
                        "appender.main.name = MainAppender",
                        "appender.main.type = File",
                        "appender.main.append = true",
                        "appender.main.fileName = ${sys:log.file}",
                        "appender.main.layout.type = PatternLayout",
                        "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1} [%t] %m%n",
                        "logger.pekko.name = org.apache.pekko",
                        "logger.pekko.level = WARN",
                        "logger.netty.name = org.apache.flink.shaded.netty4",
                        "logger.netty.level = WARN",
                        // Where the sink's DuckDB transactions open and commit (a test kills a
                        // TaskManager between the two).
                        "logger.transaction.name = io.github.flinkduckdb.sink.internal.TargetTransaction",
                        "logger.transaction.level = DEBUG",
                        "");
        Files.write(home.resolve("conf/log4j.properties"), log4j.getBytes(StandardCharsets.UTF_8));
    }

    private Process launch(String name, String resourceCommand, String mainClass)
            throws IOException, InterruptedException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = lib.toAbsolutePath() + "/*";
        String conf = home.resolve("conf").toAbsolutePath().toString();

        // BashJavaUtils computes the JVM memory flags and dynamic options, as Flink's scripts do.
        List<String> utilsCommand = new ArrayList<>();
        utilsCommand.add(java);
        utilsCommand.addAll(TestJvms.QUICK_START);
        utilsCommand.addAll(
                List.of(
                        "-cp",
                        classpath,
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        resourceCommand,
                        "--configDir",
                        conf));
        Process utils = new ProcessBuilder(utilsCommand).redirectErrorStream(true).start();
        String output = new String(utils.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        utils.waitFor(60, TimeUnit.SECONDS);
        List<String> results =
                output.lines()
                        .filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                        .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim())
                        .collect(Collectors.toList());
        if (results.size() < 2) {
            throw new IllegalStateException(
                    "BashJavaUtils " + resourceCommand + " said:\n" + output);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(split(results.get(results.size() - 2)));
        cmd.addAll(JAVA_17_OPENS);
        cmd.addAll(TestJvms.QUICK_START);
        cmd.add("-Dlog.file=" + home.resolve("log/" + name + ".log").toAbsolutePath());
        cmd.add("-Dlog4j.configurationFile=" + home.resolve("conf/log4j.properties").toUri());
        cmd.add("-Djava.io.tmpdir=" + home.resolve("tmp").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(conf);
        cmd.addAll(split(results.get(results.size() - 1)));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(home.resolve("log/" + name + ".out").toFile());
        Map<String, String> env = pb.environment();
        env.put("FLINK_CONF_DIR", conf);
        return pb.start();
    }

    private static List<String> split(String args) {
        List<String> out = new ArrayList<>();
        for (String s : args.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** The last lines of every process log: printed when a test fails. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(home.resolve("log"))) {
            for (Path f : files.sorted().collect(Collectors.toList())) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                List<String> relevant =
                        lines.stream()
                                .filter(
                                        l ->
                                                l.contains("ERROR")
                                                        || l.contains("WARN")
                                                        || l.contains("Exception")
                                                        || l.contains("switched from")
                                                        || l.startsWith("Caused by"))
                                .collect(Collectors.toList());
                List<String> tail =
                        relevant.subList(Math.max(0, relevant.size() - 60), relevant.size());
                sb.append("==== ")
                        .append(f.getFileName())
                        .append(" (")
                        .append(lines.size())
                        .append(" lines; last warnings and state changes)\n");
                tail.forEach(l -> sb.append(l).append('\n'));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    private synchronized void destroyAll() {
        for (Process p : taskManagers) {
            p.destroyForcibly();
        }
        if (jobManager != null) {
            jobManager.destroyForcibly();
        }
    }

    @Override
    public void close() {
        destroyAll();
        for (Process p : taskManagers) {
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            jobManager.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        // The processes' temporary files (blobs, uploaded jars, and a 69 MB DuckDB library that
        // the driver extracts for every job's class loader and a killed TaskManager never
        // deletes): up to 2 GB per test class. Logs, checkpoints and databases stay.
        deleteRecursively(home.resolve("tmp"));
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    // best effort: the next build's clean removes the rest
                                }
                            });
        } catch (IOException e) {
            // best effort, as above
        }
    }
}
