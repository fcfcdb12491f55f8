package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.OrderMessages;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.TestProjects;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;
import io.github.flinkduckdb.testing.brokers.KafkaBroker;

import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.InstantiationUtil;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.NotificationListener;
import javax.management.ObjectName;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Kafka property given as {@code properties_env} never enters the job graph: the job carries the
 * placeholder {@code ${env:OTTER_TEST_SECRET}} and the Kafka clients replace it where they are
 * created. The property is a harmless one whose value is visible at runtime: {@code
 * client.id.prefix}, from which the source names its consumers ({@code <prefix>-<subtask>}) and its
 * enumerator's admin client; Kafka registers each client's id as a JMX bean of this JVM (the
 * embedded MiniCluster). The surefire configuration sets {@code
 * OTTER_TEST_SECRET=n0t-in-the-job-graph}.
 */
class KafkaSecretsITCase {

    private static final String VARIABLE = "OTTER_TEST_SECRET";
    private static final String SECRET = "n0t-in-the-job-graph";

    @TempDir static Path brokerDir;
    static KafkaBroker broker;

    @TempDir Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        assertThat(System.getenv(VARIABLE))
                .as("set by the surefire configuration")
                .isEqualTo(SECRET);
        broker = KafkaBroker.start(brokerDir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private Path project(String topic) throws Exception {
        Path project = TestProjects.copyOrders(dir);
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n  type: kafka\n  bootstrap_servers: "
                        + broker.bootstrapServers()
                        + "\n  topic: "
                        + topic
                        + "\n  group_id: otter-secrets-"
                        + topic
                        + "\n  starting_offsets: earliest\n"
                        + "  batch_size: 20\n  batch_timeout_ms: 50\n"
                        + "  properties_env:\n    client.id.prefix: "
                        + VARIABLE
                        + "\n");
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sinks:\n  duckdb:\n    path: ${OTTER_OUTPUT}/warehouse.duckdb\n");
        return project;
    }

    @Test
    void theSerializedJobGraphHoldsThePlaceholderNotTheValue() throws Exception {
        OtterProject p = OtterRuns.load(project("secrets-graph"), dir.resolve("out"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        OtterPipeline.build(env, p, ProjectTransforms.build(p));
        JobGraph graph = env.getStreamGraph().getJobGraph();
        String serialized =
                new String(InstantiationUtil.serializeObject(graph), StandardCharsets.ISO_8859_1);

        // The Kafka source and the DLQ sink carry the placeholder, so the search sees their
        // properties; the value is nowhere.
        assertThat(serialized).contains("${env:" + VARIABLE + "}").doesNotContain(SECRET);
    }

    @Test
    void theKafkaClientsOnTheClusterResolveThePlaceholder() throws Exception {
        String topic = "secrets-" + UUID.randomUUID().toString().substring(0, 8);
        Properties common = new Properties();
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topic, 2, (short) 1),
                                    new NewTopic(topic + ".dlq", 1, (short) 1)))
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        int n = 40;
        Properties pp = new Properties();
        pp.putAll(common);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "k-" + i, OrderMessages.order(i, "EUR")));
            }
        }

        Path out = dir.resolve("out");
        try (ClientRegistrations clients = new ClientRegistrations()) {
            OtterRun run =
                    OtterRuns.embedded(
                            OtterRuns.load(project(topic), out), dir.resolve("state"), true, 0, 0);
            CompletableFuture<OtterRun.Summary> done = OtterRuns.async(run);
            assertThat(run.awaitSubmitted(Duration.ofSeconds(60))).isTrue();
            DuckDBTestDatabase db = DuckDBTestDatabase.at(out.resolve("warehouse.duckdb"));
            Poll.until(
                    "all orders in DuckDB",
                    Duration.ofSeconds(90),
                    () -> {
                        if (done.isDone()) {
                            // Fails at once with how the run ended, not waiting for the table.
                            throw new AssertionError(
                                    "The run ended before all orders were in DuckDB: "
                                            + done.handle((s, e) -> e != null ? e : s).get());
                        }
                        return db.count("SELECT count(*) FROM orders") == n;
                    });

            run.requestStop();
            OtterRuns.assertStopped(done.get(2, TimeUnit.MINUTES));
            assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(n);

            // Parallelism 2, two partitions: one consumer per reader, named from the resolved
            // prefix; no client was created with the unresolved placeholder. Every registration
            // during the run counts: a bean seen at one moment may be gone (a client that shares
            // its id with an earlier one, still open, fails to register its bean; the earlier one
            // then takes it away).
            assertThat(clients.ids("kafka.consumer")).containsExactly(SECRET + "-0", SECRET + "-1");
            assertThat(clients.ids("kafka.admin.client"))
                    .containsExactly(SECRET + "-enumerator-admin-client");
        }
    }

    /**
     * The Kafka clients that register their {@code app-info} bean in this JVM from construction to
     * {@link #close()}, by bean domain, when their id was named from the variable, resolved or not.
     */
    private static final class ClientRegistrations implements AutoCloseable {
        private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        private final Set<ObjectName> registered = ConcurrentHashMap.newKeySet();
        private final NotificationListener listener =
                (notification, handback) -> {
                    if (notification instanceof MBeanServerNotification
                            && MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(
                                    notification.getType())) {
                        registered.add(((MBeanServerNotification) notification).getMBeanName());
                    }
                };

        ClientRegistrations() throws Exception {
            server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
        }

        Set<String> ids(String domain) {
            Set<String> ids = new TreeSet<>();
            for (ObjectName name : registered) {
                String raw = name.getKeyProperty("id");
                if (!name.getDomain().equals(domain)
                        || !"app-info".equals(name.getKeyProperty("type"))
                        || raw == null) {
                    continue;
                }
                String id = raw.startsWith("\"") ? ObjectName.unquote(raw) : raw;
                if (id.contains(SECRET) || id.contains(VARIABLE)) {
                    ids.add(id);
                }
            }
            return ids;
        }

        @Override
        public void close() throws Exception {
            server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
        }
    }
}
