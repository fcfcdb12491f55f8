package io.github.flinkduckdb.testing.brokers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Apache Qpid Broker-J, a real AMQP 0-9-1 broker, in its own JVM from the jars Maven resolved (the
 * {@code test-brokers-qpid} module copies them to {@code test-brokers/qpid/target/qpid-lib}), on
 * 127.0.0.1. Users {@code guest/guest}; one virtual host, the default for every name (so {@code /}
 * works); queues and persistent messages in a Derby store under the broker's folder, so they
 * survive {@link #restart(Duration)}, which stops the broker's JVM and starts a new one on the same
 * port.
 *
 * <p>The broker's JVM stops on {@link #close()}, when the JVM that started it exits (shutdown
 * hook), and by itself when that JVM dies without running hooks: it exits at the end of its
 * standard input, which the starting JVM holds.
 *
 * <p>The jar folder comes from the system property {@code qpid.lib} or is found as {@code
 * test-brokers/qpid/target/qpid-lib} above the working directory.
 */
public final class QpidBroker implements AutoCloseable {

    private final Path dir;
    private final boolean temporary;
    private final int port;
    private final Thread hook;
    private volatile Process process;
    private int starts;

    private QpidBroker(Path dir, boolean temporary, int port) {
        this.dir = dir;
        this.temporary = temporary;
        this.port = port;
        this.hook = new Thread(this::destroy, "qpid-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts a broker on a free port, keeping its files under {@code dir}. */
    public static QpidBroker start(Path dir) throws IOException, InterruptedException {
        return start(dir, false);
    }

    /** Starts a broker in a new folder under {@code java.io.tmpdir}, deleted when it stops. */
    static QpidBroker startTemporary() throws IOException, InterruptedException {
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(tmp);
        return start(Files.createTempDirectory(tmp, "qpid-broker-"), true);
    }

    private static QpidBroker start(Path dir, boolean temporary)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        QpidBroker broker = new QpidBroker(dir.toAbsolutePath(), temporary, LocalPorts.unused());
        Files.write(
                broker.dir.resolve("initial-config.json"),
                broker.initialConfig().getBytes(StandardCharsets.UTF_8));
        try {
            broker.launch();
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    public int port() {
        return port;
    }

    /**
     * Stops the broker (its clients see their connections closed), waits {@code down}, and starts
     * it again on the same port with the same queues and persistent messages.
     */
    public void restart(Duration down) throws IOException, InterruptedException {
        stopProcess();
        Thread.sleep(down.toMillis());
        launch();
    }

    /** The tail of the broker's output, for failure messages. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= starts; i++) {
            Path out = dir.resolve("qpid-" + i + ".out");
            try {
                if (Files.exists(out)) {
                    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
                    sb.append("==== ").append(out).append('\n');
                    lines.subList(Math.max(0, lines.size() - 60), lines.size())
                            .forEach(l -> sb.append(l).append('\n'));
                }
            } catch (IOException e) {
                sb.append("(cannot read ").append(out).append(")\n");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        stopProcess();
        deleteIfTemporary();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private String initialConfig() {
        String store = dir.resolve("store").toString().replace("\\", "\\\\");
        return String.join(
                "\n",
                "{",
                "  \"name\": \"flinkduckdb-test-broker\",",
                "  \"modelVersion\": \"9.1\",",
                "  \"authenticationproviders\": [{",
                "    \"name\": \"plain\", \"type\": \"Plain\",",
                // The RabbitMQ client authenticates with PLAIN; without TLS Qpid refuses PLAIN
                // unless it is taken off the secure-only list.
                "    \"secureOnlyMechanisms\": [],",
                "    \"users\": [{\"name\": \"" + AmqpBroker.USER + "\", \"type\": \"managed\",",
                "                 \"password\": \"" + AmqpBroker.PASSWORD + "\"}]",
                "  }],",
                "  \"ports\": [{",
                "    \"name\": \"AMQP\", \"port\": " + port + ",",
                "    \"bindingAddress\": \"127.0.0.1\",",
                "    \"protocols\": [\"AMQP_0_9_1\"],",
                "    \"authenticationProvider\": \"plain\",",
                // Any virtual host name (the client sends "/") reaches the default node.
                "    \"virtualhostaliases\": [{\"name\": \"defaultAlias\", \"type\": \"defaultAlias\"}]",
                "  }],",
                "  \"virtualhostnodes\": [{",
                "    \"name\": \"default\", \"type\": \"DERBY\", \"defaultVirtualHostNode\": \"true\",",
                "    \"storePath\": \"" + store + "\",",
                "    \"virtualHostInitialConfiguration\": \"{\\\"type\\\": \\\"ProvidedStore\\\"}\"",
                "  }]",
                "}",
                "");
    }

    private synchronized void launch() throws IOException, InterruptedException {
        starts++;
        Path out = dir.resolve("qpid-" + starts + ".out");
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-XX:MaxDirectMemorySize=256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(TestJvms.QUICK_START);
        cmd.add("-DQPID_WORK=" + dir);
        // Derby skips its fsyncs: a killed broker JVM keeps what it wrote, a crashed machine not.
        cmd.add("-Dderby.system.durability=test");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(lib().toAbsolutePath() + "/*" + java.io.File.pathSeparator + ownClasses());
        cmd.add(QpidMain.class.getName());
        cmd.add(dir.resolve("initial-config.json").toString());
        process =
                new ProcessBuilder(cmd)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
        // The port opens before the virtual host: ready is when startup has returned.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!ready(out)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Qpid Broker-J exited with " + process.exitValue() + ":\n" + logs());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "Qpid Broker-J did not listen on 127.0.0.1:"
                                + port
                                + " within 90 s:\n"
                                + logs());
            }
            Thread.sleep(100);
        }
    }

    private synchronized void stopProcess() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
    }

    private void destroy() {
        Process p = process;
        if (p != null) {
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        deleteIfTemporary();
    }

    private void deleteIfTemporary() {
        if (!temporary || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover folder under java.io.tmpdir does no harm
        }
    }

    static Path lib() {
        return BrokerJars.find(
                "qpid.lib",
                "test-brokers/qpid/target/qpid-lib",
                "mvn -pl test-brokers/qpid package");
    }

    /** The jar or folder holding {@link QpidMain}. */
    private static String ownClasses() {
        try {
            return Paths.get(
                            QpidMain.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException("Cannot locate test-brokers", e));
        }
    }

    private boolean ready(Path out) throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8).contains(QpidMain.READY)
                && accepts(port);
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
