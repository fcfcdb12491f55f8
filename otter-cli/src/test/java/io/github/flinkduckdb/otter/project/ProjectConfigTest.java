package io.github.flinkduckdb.otter.project;

import io.github.flinkduckdb.otter.testing.TestProjects;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading config/*.yml: typed values, defaults, and errors that name file, key and line. */
class ProjectConfigTest {

    @TempDir Path dir;
    private Path project;

    @BeforeEach
    void setUp() throws Exception {
        project = TestProjects.copyOrders(dir);
    }

    private OtterProject load(Map<String, String> vars) {
        return OtterProject.load(project, null, null, Interpolator.withOverrides(vars));
    }

    private void sources(String yaml) throws Exception {
        TestProjects.write(project.resolve("config/sources.yml"), yaml);
    }

    @Test
    void readsTheExampleProject() {
        OtterProject p = load(Map.of("OTTER_OUTPUT", dir.resolve("out").toString()));

        FileSourceConfig source = (FileSourceConfig) p.source();
        assertThat(source.path()).isEqualTo(project.resolve("fixtures/orders.jsonl").toString());
        assertThat(source.watch()).isFalse();
        assertThat(source.dlqPath()).isEqualTo(dir.resolve("out/dlq").toString());
        ParquetOutputConfig parquet = p.sinks().parquet();
        assertThat(parquet.path()).isEqualTo(dir.resolve("out/parquet").toString());
        assertThat(parquet.stagingPath())
                .isEqualTo(dir.resolve("out/.parquet.otter-staging").toString());
        assertThat(parquet.partitionBy("orders")).containsExactly("currency");
        assertThat(parquet.partitionBy("purchases")).isEmpty();
        assertThat(parquet.dedupeKey("orders")).containsExactly("order_id");
        DuckDBOutputConfig duckdb = p.sinks().duckdb();
        assertThat(duckdb.url()).isEqualTo("jdbc:duckdb:" + dir.resolve("out/warehouse.duckdb"));
        assertThat(duckdb.table("purchases")).isEqualTo("purchases");
        assertThat(duckdb.guarantee()).isEqualTo(DuckDBOutputConfig.Guarantee.EXACTLY_ONCE);
        assertThat(duckdb.releaseBetweenCommits()).isFalse();
        assertThat(duckdb.memoryLimit()).isEqualTo("512MB");
        assertThat(p.modelsConfig().policy("orders")).isEqualTo(new FlushPolicy(536870912L, 60));
        assertThat(p.modelsConfig().policy("purchases"))
                .isEqualTo(new FlushPolicy(10485760L, 1500));
        assertThat(p.modelsConfig().policy("other")).isEqualTo(new FlushPolicy(134217728L, 300));
        assertThat(p.models()).extracting(m -> m.name()).containsExactly("orders", "purchases");
    }

    @Test
    void readsRabbitMQWithSeedKeysAndNeverPrintsThePassword() throws Exception {
        sources(
                "source:\n"
                        + "  type: rabbitmq\n"
                        + "  host: ${RABBITMQ_HOST:-localhost}\n"
                        + "  port: 5672\n"
                        + "  vhost: /\n"
                        + "  username: otter\n"
                        + "  password: ${RABBITMQ_PASSWORD}\n"
                        + "  queue: orders.raw\n"
                        + "  dlq: orders.dlq\n"
                        + "  batch_size: 100\n"
                        + "  batch_timeout_ms: 5000\n");
        RabbitMQSourceConfig r =
                (RabbitMQSourceConfig) load(Map.of("RABBITMQ_PASSWORD", "pa55w0rd")).source();

        assertThat(r)
                .isEqualTo(
                        new RabbitMQSourceConfig(
                                "localhost",
                                5672,
                                "/",
                                "otter",
                                "pa55w0rd",
                                null,
                                "orders.raw",
                                "orders.dlq",
                                10_000,
                                100,
                                5000,
                                false,
                                true));
        assertThat(r.toString()).doesNotContain("pa55w0rd").contains("******");
        assertThat(r.describe()).doesNotContain("pa55w0rd");
    }

    @Test
    void readsThePasswordFromTheEnvironmentWhereConnectionsOpen() throws Exception {
        String base = "source:\n  type: rabbitmq\n  username: otter\n  queue: orders.raw\n";
        sources(base + "  password_env: RABBITMQ_PASSWORD\n");
        RabbitMQSourceConfig r = (RabbitMQSourceConfig) load(Map.of()).source();
        assertThat(r.password()).isNull();
        assertThat(r.passwordEnv()).isEqualTo("RABBITMQ_PASSWORD");

        sources(base + "  password: x\n  password_env: RABBITMQ_PASSWORD\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageContaining("config/sources.yml:")
                .hasMessageContaining("set either 'password' or 'password_env', not both");

        sources(base + "  password_env: ${X:-not a name}\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageContaining("expected the name of an environment variable");
    }

    @Test
    void aVariableHoldingYamlSyntaxEndsUpVerbatimInTheValue() throws Exception {
        String password = "pw # x\na: b \"quoted\" 'single' ${NOT_A_REF}";
        sources(
                "source:\n  type: rabbitmq\n  queue: ${QUEUE}\n  password: ${RABBITMQ_PASSWORD}\n"
                        + "  username: \"${RABBITMQ_USER}\"\n");
        RabbitMQSourceConfig r =
                (RabbitMQSourceConfig)
                        load(Map.of(
                                        "RABBITMQ_PASSWORD", password,
                                        "RABBITMQ_USER", "a: b",
                                        "QUEUE", "orders # raw"))
                                .source();
        assertThat(r.password()).isEqualTo(password);
        assertThat(r.username()).isEqualTo("a: b");
        assertThat(r.queue()).isEqualTo("orders # raw");
        assertThat(r.toString()).doesNotContain("pw # x");
    }

    @Test
    void readsKafkaWithDefaults() throws Exception {
        sources(
                "source:\n  type: kafka\n  bootstrap_servers: 127.0.0.1:9092\n  topic: orders\n"
                        + "  properties:\n    sasl.jaas.config: secret-stuff\n");
        KafkaSourceConfig k = (KafkaSourceConfig) load(Map.of()).source();
        assertThat(k.topics()).containsExactly("orders");
        assertThat(k.groupId()).isEqualTo("otter-orders-project");
        assertThat(k.startingOffsets()).isEqualTo("committed");
        assertThat(k.dlqTopic()).isEqualTo("orders.dlq");
        assertThat(k.toString()).doesNotContain("secret-stuff");
    }

    @Test
    void kafkaPropertiesEnvBecomePlaceholdersTheKafkaClientResolves() throws Exception {
        String base =
                "source:\n  type: kafka\n  bootstrap_servers: 127.0.0.1:9092\n  topic: orders\n"
                        + "  properties:\n    security.protocol: SASL_SSL\n";
        sources(
                base
                        + "  properties_env:\n    sasl.jaas.config: KAFKA_JAAS\n"
                        + "    ssl.keystore.password: KS_PASS\n");
        KafkaSourceConfig k = (KafkaSourceConfig) load(Map.of()).source();
        assertThat(k.propertiesEnv())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "sasl.jaas.config",
                                "KAFKA_JAAS",
                                "ssl.keystore.password",
                                "KS_PASS"));
        Properties p = k.clientProperties();
        assertThat(p)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "security.protocol", "SASL_SSL",
                                "sasl.jaas.config", "${env:KAFKA_JAAS}",
                                "ssl.keystore.password", "${env:KS_PASS}",
                                "config.providers", "env",
                                "config.providers.env.class",
                                        "org.apache.kafka.common.config.provider.EnvVarConfigProvider"));
        assertThat(k.toString()).contains("KAFKA_JAAS");

        assertThatThrownBy(
                        () ->
                                k.requireEnvironment(
                                        Map.of("KS_PASS", "x")::get,
                                        "this TaskManager's environment"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not set in this TaskManager's environment")
                .hasMessageEndingWith(": KAFKA_JAAS (for sasl.jaas.config)");
        k.requireEnvironment(Map.of("KS_PASS", "x", "KAFKA_JAAS", "y")::get, "here");

        // A provider list of the user's own keeps its entries; ours is added once.
        sources(
                base
                        + "    config.providers: file\n"
                        + "  properties_env:\n    sasl.jaas.config: KAFKA_JAAS\n");
        assertThat(((KafkaSourceConfig) load(Map.of()).source()).clientProperties())
                .containsEntry("config.providers", "file,env");

        sources(base + "  properties_env:\n    security.protocol: PROTOCOL\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageContaining("config/sources.yml:")
                .hasMessageContaining(
                        "'security.protocol' is set in both properties and properties_env");

        sources(base + "  properties_env:\n    sasl.jaas.config: not a name\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageContaining("config/sources.yml:")
                .hasMessageContaining(
                        "expected the name of an environment variable, got \"not a name\"");
    }

    @Test
    void withoutPropertiesEnvTheClientPropertiesAreTheProperties() throws Exception {
        sources(
                "source:\n  type: kafka\n  bootstrap_servers: 127.0.0.1:9092\n  topic: orders\n"
                        + "  properties:\n    client.id.prefix: otter\n");
        KafkaSourceConfig k = (KafkaSourceConfig) load(Map.of()).source();
        assertThat(k.clientProperties())
                .containsExactlyInAnyOrderEntriesOf(Map.of("client.id.prefix", "otter"));
    }

    @Test
    void readsAWatchedFolder() throws Exception {
        sources("source:\n  type: file\n  path: inbox\n  watch: true\n  monitor_interval: 250ms\n");
        FileSourceConfig f = (FileSourceConfig) load(Map.of()).source();
        assertThat(f.watch()).isTrue();
        assertThat(f.monitorInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(f.path()).isEqualTo(project.resolve("inbox").toString());
    }

    @Test
    void acceptsOttersSingleSinkForm() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: parquet\n  path: ./output\n  partition_by: [currency]\n"
                        + "  dedupe_key: order_id\n");
        SinksConfig s = load(Map.of()).sinks();
        assertThat(s.duckdbOutput()).isEmpty();
        assertThat(s.parquet().partitionBy("orders")).isEqualTo(List.of("currency"));
        assertThat(s.parquet().dedupeKey("purchases")).isEqualTo(List.of("order_id"));
    }

    @Test
    void duckdbCanReleaseTheFileBetweenCommits() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: duckdb\n  path: ./out.duckdb\n  release_between_commits: true\n");
        DuckDBOutputConfig duckdb = load(Map.of()).sinks().duckdb();
        assertThat(duckdb.releaseBetweenCommits()).isTrue();
        assertThat(duckdb.toString()).contains("releaseBetweenCommits=true");
    }

    @Test
    void duckdbMemoryLimitIsASizeInDuckDBsUnits() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: duckdb\n  path: ./out.duckdb\n  memory_limit: 2GiB\n");
        assertThat(load(Map.of()).sinks().duckdb().memoryLimit()).isEqualTo("2GiB");
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sink:\n  type: duckdb\n  path: ./out.duckdb\n  memory_limit: lots\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageContaining("config/sinks.yml:4:")
                .hasMessageContaining(
                        "expected a size in DuckDB's units, e.g. 512MB, 2GB or 1GiB, got \"lots\"");
    }

    @Test
    void anUnknownKeyIsLocatedAndASpellingIsSuggested() throws Exception {
        sources("source:\n  type: rabbitmq\n  queue: q\n  hots: localhost\n");
        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "config/sources.yml:4:3: source.hots: unknown key 'hots' (did you mean 'host'?)")
                .satisfies(
                        e -> {
                            ConfigException c = (ConfigException) e;
                            assertThat(c.key()).contains("source.hots");
                            assertThat(c.line()).isEqualTo(4);
                        });
    }

    @Test
    void aWrongValueNamesFileKeyAndLine() throws Exception {
        sources("source:\n  type: rabbitmq\n  queue: q\n  port: lots\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/sources.yml:4:9: source.port: expected a whole number, got \"lots\"");
    }

    @Test
    void aMissingRequiredKeyNamesTheKey() throws Exception {
        sources("source:\n  type: rabbitmq\n  host: h\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/sources.yml:2:3: source.queue: is required in source but missing");
    }

    @Test
    void anUnknownSourceTypeIsAnError() throws Exception {
        sources("source:\n  type: sqs\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/sources.yml:2:9: source.type: unknown source type 'sqs'; use rabbitmq, kafka or file");
    }

    @Test
    void invalidYamlIsLocated() throws Exception {
        sources("source:\n  type: file\n  path: [unclosed\n");
        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config/sources.yml:")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void aDuplicateKeyIsAnError() throws Exception {
        sources("source:\n  type: file\n  path: a\n  path: b\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/sources.yml:4:3: source.path: key 'path' appears twice (first on line 3)");
    }

    @Test
    void aVariableThatIsNotSetIsAnErrorAtItsLine() throws Exception {
        sources(
                "source:\n  type: rabbitmq\n  queue: q\n  password: ${OTTER_TEST_UNSET_PASSWORD}\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageStartingWith(
                        "config/sources.yml:4:13: environment variable OTTER_TEST_UNSET_PASSWORD is not set");
    }

    @Test
    void stagingInsideTheOutputIsRejected() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sinks:\n  parquet:\n    path: out\n    staging_path: out/.staging\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageStartingWith(
                        "config/sinks.yml:4:19: sinks.parquet.staging_path: the staging folder")
                .hasMessageContaining("DuckDB's ** enters hidden folders");
    }

    @Test
    void modelThresholdsAcceptSizesWithUnits() throws Exception {
        TestProjects.write(
                project.resolve("config/models.yml"),
                "max_file_bytes: 64MB\nmax_age_seconds: 10\noverrides:\n  orders:\n    max_age_seconds: 0\n"
                        + "incoming:\n  schema: order_id BIGINT\n");
        ModelsConfig m = load(Map.of()).modelsConfig();
        assertThat(m.defaults()).isEqualTo(new FlushPolicy(64L << 20, 10));
        assertThat(m.policy("orders")).isEqualTo(new FlushPolicy(64L << 20, 0));
    }

    @Test
    void modelThresholdsAcceptEverySizeForm() throws Exception {
        Map<String, Long> forms = new java.util.LinkedHashMap<>();
        forms.put("134217728", 134217728L);
        forms.put("1_048_576", 1048576L);
        forms.put("128MB", 128L << 20);
        forms.put("64mb", 64L << 20);
        forms.put("10 MiB", 10L << 20);
        forms.put("2KiB", 2048L);
        forms.put("1kb", 1024L);
        forms.put("2 GiB", 2L << 30);
        forms.put("3gb", 3L << 30);
        forms.put("1g", 1L << 30);
        for (Map.Entry<String, Long> form : forms.entrySet()) {
            TestProjects.write(
                    project.resolve("config/models.yml"),
                    "max_file_bytes: " + form.getKey() + "\n");
            assertThat(load(Map.of()).modelsConfig().defaults().maxFileBytes())
                    .as(form.getKey())
                    .isEqualTo(form.getValue());
        }
    }

    @Test
    void aSizeOrDurationThatOverflowsIsAnErrorNamingFileKeyAndValue() throws Exception {
        TestProjects.write(project.resolve("config/models.yml"), "max_file_bytes: 99999999999GB\n");
        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "config/models.yml:1:17: max_file_bytes: the size \"99999999999GB\" is too"
                                + " large (at most 8 EiB)");
        TestProjects.write(
                project.resolve("config/models.yml"),
                "overrides:\n  orders:\n    max_file_bytes: 99999999999999999999\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/models.yml:3:21: overrides.orders.max_file_bytes: the size"
                                + " \"99999999999999999999\" is too large (at most 8 EiB)");
        TestProjects.write(project.resolve("config/models.yml"), "max_file_bytes: 12 parsecs\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/models.yml:1:17: max_file_bytes: expected a size in bytes such as"
                                + " 134217728 or 128MB, got \"12 parsecs\"");

        sources(
                "source:\n  type: file\n  path: inbox\n  watch: true\n"
                        + "  monitor_interval: 9999999999999999h\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/sources.yml:5:21: source.monitor_interval: the duration"
                                + " \"9999999999999999h\" is too large (at most 292 million years)");
        sources("source:\n  type: file\n  path: inbox\n  batch_timeout_ms: 99999999999999999999\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage(
                        "config/sources.yml:4:21: source.batch_timeout_ms: the number"
                                + " \"99999999999999999999\" is too large (at most 2^63 - 1)");
    }

    @Test
    void duckdbNeedsExactlyOneOfPathAndUrl() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sinks:\n  duckdb:\n    path: a.duckdb\n    url: md:shop\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessageStartingWith(
                        "config/sinks.yml:3:5: sinks.duckdb: set exactly one of 'path'");
    }

    @Test
    void motherDuckTokensAreNotPrinted() throws Exception {
        TestProjects.write(
                project.resolve("config/sinks.yml"),
                "sinks:\n  duckdb:\n    url: md:shop\n    token: ${MD_TOKEN}\n");
        DuckDBOutputConfig d = load(Map.of("MD_TOKEN", "tok-123456")).sinks().duckdb();
        assertThat(d.url()).isEqualTo("jdbc:duckdb:md:shop");
        assertThat(d.token()).isEqualTo("tok-123456");
        assertThat(d.toString()).doesNotContain("tok-123456");
    }
}
