package io.github.flinkduckdb.testing.brokers;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The AMQP 0-9-1 broker of the tests: host, port, user and password, one per JVM. Chosen by the
 * system property {@value #SELECTION} (or the environment variable {@value #SELECTION_ENV}):
 *
 * <ul>
 *   <li>{@code auto} (default): the machine's RabbitMQ when one listens on 127.0.0.1:5672; else
 *       {@code rabbitmq-server -detached} when it is on the PATH and 5672 is free; else Qpid.
 *   <li>{@code rabbitmq}: the machine's RabbitMQ, started when it is installed and not running.
 *   <li>{@code qpid}: Apache Qpid Broker-J from Maven jars ({@link QpidBroker}) on a free port.
 * </ul>
 *
 * <p>Tests take the port from here (Qpid never listens on 5672). What they may rely on works on
 * both: transactions, publisher confirms, per-message ack, nack/reject with requeue, message and
 * correlation ids, headers, queue declare/purge/delete, passive declare, basic.get, prefetch and
 * competing consumers, persistent messages in durable queues across {@link #restart(Duration)}.
 * Differences to allow for: the message count of a passive declare is the ready messages on
 * RabbitMQ, but every message not yet acknowledged on Qpid (delivered ones too), so both are 0 once
 * everything is acknowledged; a nack or reject <em>without</em> requeue drops the message on
 * RabbitMQ, but requeues it on Qpid.
 */
public final class AmqpBroker {

    /** System property that selects the broker: {@code auto}, {@code rabbitmq} or {@code qpid}. */
    public static final String SELECTION = "flinkduckdb.test.amqp";

    /** Environment variable read when the system property is not set. */
    public static final String SELECTION_ENV = "FLINKDUCKDB_TEST_AMQP";

    /** Which broker runs. */
    public enum Kind {
        RABBITMQ,
        QPID
    }

    static final String HOST = "127.0.0.1";
    static final String USER = "guest";
    static final String PASSWORD = "guest";
    static final int RABBITMQ_PORT = 5672;

    private static AmqpBroker instance;

    private final Kind kind;
    private final int port;
    private final QpidBroker qpid;

    private AmqpBroker(Kind kind, int port, QpidBroker qpid) {
        this.kind = kind;
        this.port = port;
        this.qpid = qpid;
    }

    /** The broker of this JVM, found or started on the first call. */
    public static synchronized AmqpBroker get() throws IOException, InterruptedException {
        if (instance == null) {
            String selection = selection();
            instance = select(selection);
            // One line in the test output says which broker the run used.
            System.out.println(
                    "AMQP test broker (" + SELECTION + "=" + selection + "): " + instance);
        }
        return instance;
    }

    public Kind kind() {
        return kind;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String username() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    /**
     * The {@code host}, {@code port}, {@code username} and {@code password} lines of a YAML
     * connection block for this broker, each indented by two spaces.
     */
    public String connectionYaml() {
        return "  host: "
                + host()
                + "\n  port: "
                + port()
                + "\n  username: "
                + username()
                + "\n  password: "
                + password()
                + "\n";
    }

    /** Whether {@link #restart(Duration)} works here: Qpid, or RabbitMQ with rabbitmqctl. */
    public boolean canRestart() {
        return kind == Kind.QPID || onPath("rabbitmqctl");
    }

    /**
     * Stops the broker (clients see their connections closed), waits {@code down}, starts it again
     * and returns when it accepts connections. Durable queues and persistent messages survive. On
     * RabbitMQ this is {@code rabbitmqctl stop_app} / {@code start_app}: it affects every user of
     * the machine's broker.
     */
    public void restart(Duration down) throws IOException, InterruptedException {
        if (qpid != null) {
            qpid.restart(down);
            return;
        }
        if (!onPath("rabbitmqctl")) {
            throw new IllegalStateException(
                    "Cannot restart RabbitMQ: rabbitmqctl is not on the PATH");
        }
        try {
            rabbitmqctl("stop_app");
            Thread.sleep(down.toMillis());
        } finally {
            rabbitmqctl("start_app");
        }
        awaitListening(RABBITMQ_PORT, "after start_app");
    }

    /**
     * The names of the queues on the broker, or empty when they cannot be listed here: RabbitMQ's
     * through {@code rabbitmqctl list_queues} (not on the PATH: empty); Qpid's broker is this JVM's
     * own, so nothing an earlier run left is on it (empty).
     */
    public Optional<List<String>> queueNames() throws IOException, InterruptedException {
        if (qpid != null || !onPath("rabbitmqctl")) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        for (String line :
                rabbitmqctl("list_queues", "name", "--quiet", "--no-table-headers").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim());
            }
        }
        return Optional.of(names);
    }

    @Override
    public String toString() {
        return (kind == Kind.QPID ? "Qpid Broker-J" : "RabbitMQ") + " on " + HOST + ":" + port;
    }

    static String selection() {
        String value = System.getProperty(SELECTION);
        if (value == null || value.isBlank()) {
            value = System.getenv(SELECTION_ENV);
        }
        value = value == null || value.isBlank() ? "auto" : value.trim().toLowerCase(Locale.ROOT);
        if (!value.equals("auto") && !value.equals("rabbitmq") && !value.equals("qpid")) {
            throw new IllegalArgumentException(
                    SELECTION + " is '" + value + "': use rabbitmq, qpid or auto");
        }
        return value;
    }

    static AmqpBroker select(String selection) throws IOException, InterruptedException {
        if (selection.equals("qpid")) {
            return qpid();
        }
        if (isRabbitMQ(RABBITMQ_PORT)) {
            return rabbitMQ();
        }
        boolean portFree = !QpidBroker.accepts(RABBITMQ_PORT);
        if (portFree && onPath("rabbitmq-server")) {
            startRabbitMQ();
            return rabbitMQ();
        }
        if (selection.equals("rabbitmq")) {
            throw new IllegalStateException(
                    SELECTION
                            + "=rabbitmq, but no RabbitMQ listens on "
                            + HOST
                            + ":"
                            + RABBITMQ_PORT
                            + (portFree
                                    ? " and rabbitmq-server is not on the PATH"
                                    : " (another server holds the port)"));
        }
        return qpid();
    }

    private static AmqpBroker rabbitMQ() {
        return new AmqpBroker(Kind.RABBITMQ, RABBITMQ_PORT, null);
    }

    private static AmqpBroker qpid() throws IOException, InterruptedException {
        QpidBroker broker = QpidBroker.startTemporary();
        return new AmqpBroker(Kind.QPID, broker.port(), broker);
    }

    private static void startRabbitMQ() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("rabbitmq-server", "-detached").inheritIO();
        pb.environment().put("RABBITMQ_NODE_IP_ADDRESS", HOST);
        pb.environment().put("ERL_EPMD_ADDRESS", HOST);
        Process p = pb.start();
        p.waitFor(60, TimeUnit.SECONDS);
        awaitListening(RABBITMQ_PORT, "after rabbitmq-server -detached");
    }

    private static void awaitListening(int port, String when) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!QpidBroker.accepts(port)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "RabbitMQ does not listen on " + HOST + ":" + port + " " + when);
            }
            Thread.sleep(250);
        }
    }

    /** Runs {@code rabbitmqctl} with {@code args}; returns its standard output. */
    private static String rabbitmqctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(
                    "rabbitmqctl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /**
     * Whether the server on {@code port} greets an AMQP 0-9-1 client as RabbitMQ: its
     * connection.start frame names the product.
     */
    static boolean isRabbitMQ(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            s.setSoTimeout(3_000);
            s.getOutputStream().write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
            DataInputStream in = new DataInputStream(s.getInputStream());
            int type = in.readUnsignedByte();
            in.readUnsignedShort(); // channel
            int size = in.readInt();
            if (type != 1 || size <= 0 || size > 65_536) {
                return false;
            }
            byte[] payload = new byte[size];
            in.readFully(payload);
            return new String(payload, StandardCharsets.ISO_8859_1).contains("RabbitMQ");
        } catch (IOException e) {
            return false;
        }
    }

    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
