package io.github.flinkduckdb.testing.brokers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, broker and controller in one process) in its own JVM, started from
 * the {@code kafka_2.13} jars Maven resolved, listening on 127.0.0.1 ephemeral ports. Stops on
 * {@link #close()} or when the test JVM exits.
 *
 * <p>The jar folder comes from the system property {@code kafka.lib} (set by the build) or is found
 * as {@code test-brokers/target/kafka-lib} above the working directory.
 */
public final class KafkaBroker implements AutoCloseable {

    private final List<String> command;
    private final int port;
    private final Path dir;
    private final Thread hook;
    private volatile Process process;

    private KafkaBroker(List<String> command, int port, Path dir) {
        this.command = command;
        this.port = port;
        this.dir = dir;
        this.hook = new Thread(() -> process.destroyForcibly(), "kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts a broker with its data and log under {@code dir}; returns when it accepts clients. */
    public static KafkaBroker start(Path dir) throws IOException, InterruptedException {
        Path lib = lib();
        Files.createDirectories(dir);
        int port = LocalPorts.unused();
        int controllerPort = LocalPorts.unused();
        Path data = dir.resolve("data");
        Path props = dir.resolve("server.properties");
        String config =
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + port
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                        "inter.broker.listener.name=PLAINTEXT",
                        "log.dirs=" + data.toAbsolutePath(),
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=3",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "transaction.state.log.num.partitions=3",
                        "group.initial.rebalance.delay.ms=0",
                        "auto.create.topics.enable=true",
                        "log.flush.interval.messages=1",
                        "");
        Files.write(props, config.getBytes(StandardCharsets.UTF_8));
        Path log4j = dir.resolve("log4j.properties");
        Files.write(
                log4j,
                String.join(
                                "\n",
                                "log4j.rootLogger=WARN, file",
                                "log4j.appender.file=org.apache.log4j.FileAppender",
                                "log4j.appender.file.File="
                                        + dir.resolve("kafka.log").toAbsolutePath(),
                                "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
                                "log4j.appender.file.layout.ConversionPattern=%d %p %c{1} %m%n",
                                "log4j.logger.kafka.server.KafkaRaftServer=INFO",
                                "")
                        .getBytes(StandardCharsets.UTF_8));

        String clusterId = clusterId();
        run(lib, dir, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props.toString());

        List<String> cmd = java(lib, dir);
        cmd.add("kafka.Kafka");
        cmd.add(props.toString());
        KafkaBroker broker = new KafkaBroker(cmd, port, dir);
        broker.launch();
        return broker;
    }

    private void launch() throws IOException, InterruptedException {
        process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.out").toFile()))
                        .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!accepts(port)) {
            if (!process.isAlive()) {
                close();
                throw new IllegalStateException("Kafka exited:\n" + logs());
            }
            if (Instant.now().isAfter(deadline)) {
                close();
                throw new IllegalStateException("Kafka did not listen within 60 s:\n" + logs());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Kills the broker with SIGKILL (no controlled shutdown, no flush beyond what it synced), waits
     * {@code down}, and starts it again on the same ports and data; returns when it accepts clients
     * again.
     */
    public void killAndRestart(Duration down) throws IOException, InterruptedException {
        process.destroyForcibly().waitFor();
        Thread.sleep(down.toMillis());
        launch();
    }

    /** {@code 127.0.0.1:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"kafka.out", "kafka.log"}) {
            Path p = dir.resolve(f);
            try {
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                    sb.append("==== ").append(f).append('\n');
                    lines.subList(Math.max(0, lines.size() - 80), lines.size())
                            .forEach(l -> sb.append(l).append('\n'));
                }
            } catch (IOException e) {
                sb.append("(cannot read ").append(f).append(")\n");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    static Path lib() {
        return BrokerJars.find(
                "kafka.lib", "test-brokers/target/kafka-lib", "mvn -pl test-brokers package");
    }

    private static List<String> java(Path lib, Path dir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(TestJvms.QUICK_START);
        cmd.add("-Dlog4j.configuration=" + dir.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(lib.toAbsolutePath() + "/*");
        return cmd;
    }

    /**
     * A cluster id as {@code kafka-storage random-uuid} prints it (Kafka's {@code Uuid}: 16 random
     * bytes in URL-safe Base64 without padding, never starting with '-'), without a JVM for it.
     */
    private static String clusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        while (true) {
            random.nextBytes(bytes);
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static String run(Path lib, Path dir, String mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = java(lib, dir);
        cmd.add(mainClass);
        for (String a : args) {
            cmd.add(a);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(mainClass + " failed:\n" + out);
        }
        return out;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
