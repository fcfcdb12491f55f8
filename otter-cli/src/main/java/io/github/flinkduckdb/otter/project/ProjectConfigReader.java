package io.github.flinkduckdb.otter.project;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.otter.project.DuckDBOutputConfig.Guarantee;
import io.github.flinkduckdb.otter.rabbitmq.RabbitMQSourceBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the three YAML files of a project into typed configuration, checking every key: unknown
 * keys, wrong types and impossible values are errors naming file, key and line. Relative paths are
 * resolved against the project folder.
 */
final class ProjectConfigReader {

    private static final Set<String> RABBITMQ_KEYS =
            Set.of(
                    "type",
                    "host",
                    "port",
                    "vhost",
                    "username",
                    "password",
                    "password_env",
                    "queue",
                    "dlq",
                    "prefetch",
                    "batch_size",
                    "batch_timeout_ms",
                    "correlation_id",
                    "declare_queues");
    private static final Set<String> KAFKA_KEYS =
            Set.of(
                    "type",
                    "bootstrap_servers",
                    "topic",
                    "group_id",
                    "starting_offsets",
                    "dlq_topic",
                    "properties",
                    "properties_env",
                    "batch_size",
                    "batch_timeout_ms");
    private static final Set<String> FILE_KEYS =
            Set.of(
                    "type",
                    "path",
                    "watch",
                    "monitor_interval",
                    "dlq_path",
                    "batch_size",
                    "batch_timeout_ms");
    private static final Set<String> PARQUET_KEYS =
            Set.of("type", "path", "staging_path", "partition_by", "dedupe_key", "compression");
    private static final Set<String> DUCKDB_KEYS =
            Set.of(
                    "type",
                    "path",
                    "url",
                    "token",
                    "tables",
                    "create_tables",
                    "delivery_guarantee",
                    "release_between_commits",
                    "memory_limit");
    private static final Set<String> COMPRESSIONS =
            Set.of("zstd", "snappy", "gzip", "lz4", "uncompressed");

    static final int DEFAULT_BATCH_SIZE = 100;
    static final long DEFAULT_BATCH_TIMEOUT_MS = 200;

    private final Path root;
    private final String projectName;

    ProjectConfigReader(Path root) {
        this.root = root;
        Path name = root.toAbsolutePath().normalize().getFileName();
        this.projectName = name == null ? "otter" : name.toString();
    }

    // ---------------------------------------------------------------- sources.yml

    SourceConfig source(YamlNode file) {
        file.checkKeys(Set.of("source"));
        YamlNode source = file.required("source");
        String type = source.requiredString("type").trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case "rabbitmq":
                return rabbitmq(source);
            case "kafka":
                return kafka(source);
            case "file":
                return fileSource(source);
            default:
                throw source.required("type")
                        .error("unknown source type '" + type + "'; use rabbitmq, kafka or file");
        }
    }

    private RabbitMQSourceConfig rabbitmq(YamlNode s) {
        s.checkKeys(RABBITMQ_KEYS);
        String queue = s.requiredString("queue");
        int batchSize = batchSize(s);
        // Above the messages one consumer takes per checkpoint interval, or it waits for
        // checkpoints.
        int prefetch =
                s.integer(
                        "prefetch",
                        Math.min(
                                65_535,
                                Math.max(RabbitMQSourceBuilder.DEFAULT_PREFETCH, batchSize * 10)),
                        1,
                        65_535);
        String passwordEnv =
                s.get("password_env").map(ProjectConfigReader::environmentVariable).orElse(null);
        if (passwordEnv != null && s.get("password").isPresent()) {
            throw s.required("password_env")
                    .error("set either 'password' or 'password_env', not both");
        }
        return new RabbitMQSourceConfig(
                s.string("host", "localhost"),
                s.integer("port", 5672, 1, 65_535),
                s.string("vhost", "/"),
                s.string("username", "guest"),
                passwordEnv == null ? s.string("password", "guest") : null,
                passwordEnv,
                queue,
                s.string("dlq", queue + ".dlq"),
                prefetch,
                batchSize,
                batchTimeout(s),
                s.bool("correlation_id", false),
                s.bool("declare_queues", true));
    }

    private KafkaSourceConfig kafka(YamlNode s) {
        s.checkKeys(KAFKA_KEYS);
        List<String> topics = s.required("topic").asStringList();
        if (topics.isEmpty()) {
            throw s.required("topic").error("name at least one topic");
        }
        String offsets = s.string("starting_offsets", "committed").trim().toLowerCase(Locale.ROOT);
        if (!Set.of("committed", "earliest", "latest").contains(offsets)) {
            throw s.required("starting_offsets")
                    .error("expected committed, earliest or latest, got \"" + offsets + "\"");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        YamlNode props = s.mapOrEmpty("properties");
        for (String key : props.keys()) {
            properties.put(key, props.required(key).asString());
        }
        Map<String, String> propertiesEnv = new LinkedHashMap<>();
        YamlNode envProps = s.mapOrEmpty("properties_env");
        for (String key : envProps.keys()) {
            YamlNode variable = envProps.required(key);
            if (properties.containsKey(key)) {
                throw variable.error(
                        "'" + key + "' is set in both properties and properties_env; keep one");
            }
            propertiesEnv.put(key, environmentVariable(variable));
        }
        return new KafkaSourceConfig(
                s.requiredString("bootstrap_servers"),
                topics,
                s.string("group_id", "otter-" + projectName),
                offsets,
                s.string("dlq_topic", topics.get(0) + ".dlq"),
                properties,
                propertiesEnv,
                batchSize(s),
                batchTimeout(s));
    }

    private FileSourceConfig fileSource(YamlNode s) {
        s.checkKeys(FILE_KEYS);
        Duration interval =
                s.get("monitor_interval").map(YamlNode::asDuration).orElse(Duration.ofSeconds(1));
        if (interval.isNegative() || interval.isZero()) {
            throw s.required("monitor_interval").error("must be positive");
        }
        return new FileSourceConfig(
                resolve(s.requiredString("path")),
                s.bool("watch", false),
                interval,
                resolve(s.string("dlq_path", "dlq")),
                batchSize(s),
                batchTimeout(s));
    }

    /** The name of an environment variable (a {@code *_env} value), checked. */
    private static String environmentVariable(YamlNode node) {
        String name = node.asString();
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw node.error("expected the name of an environment variable, got \"" + name + "\"");
        }
        return name;
    }

    private static int batchSize(YamlNode s) {
        return s.integer("batch_size", DEFAULT_BATCH_SIZE, 1, 1_000_000);
    }

    private static long batchTimeout(YamlNode s) {
        return s.longValue("batch_timeout_ms", DEFAULT_BATCH_TIMEOUT_MS, 0);
    }

    // ---------------------------------------------------------------- sinks.yml

    SinksConfig sinks(YamlNode file) {
        file.checkKeys(Set.of("sink", "sinks"));
        if (file.has("sink") && file.has("sinks")) {
            throw file.required("sinks")
                    .error("use either 'sink' (one output, Otter's form) or 'sinks', not both");
        }
        ParquetOutputConfig parquet = null;
        DuckDBOutputConfig duckdb = null;
        if (file.has("sink")) {
            // Otter's form: one output with a type.
            YamlNode sink = file.required("sink");
            String type = sink.requiredString("type").trim().toLowerCase(Locale.ROOT);
            if (type.equals("parquet")) {
                parquet = parquet(sink);
            } else if (type.equals("duckdb")) {
                duckdb = duckdb(sink);
            } else {
                throw sink.required("type")
                        .error("unknown sink type '" + type + "'; use parquet or duckdb");
            }
        } else {
            YamlNode sinks = file.required("sinks");
            sinks.checkKeys(Set.of("parquet", "duckdb"));
            if (sinks.get("parquet").isPresent()) {
                parquet = parquet(sinks.required("parquet"));
            }
            if (sinks.get("duckdb").isPresent()) {
                duckdb = duckdb(sinks.required("duckdb"));
            }
            if (parquet == null && duckdb == null) {
                throw sinks.error("configure at least one output: parquet, duckdb or both");
            }
        }
        return new SinksConfig(parquet, duckdb);
    }

    private ParquetOutputConfig parquet(YamlNode s) {
        s.checkKeys(PARQUET_KEYS);
        String path = resolve(s.requiredString("path"));
        Path out = Path.of(path);
        Path parent = out.getParent() == null ? out : out.getParent();
        String staging =
                s.get("staging_path")
                        .map(n -> resolve(n.asString()))
                        .orElse(
                                parent.resolve("." + out.getFileName() + ".otter-staging")
                                        .toString());
        Path stagingPath = Path.of(staging).normalize();
        if (stagingPath.startsWith(out.normalize())) {
            throw (s.get("staging_path").isPresent() ? s.required("staging_path") : s)
                    .error(
                            "the staging folder "
                                    + stagingPath
                                    + " is inside the output folder; readers of '"
                                    + out
                                    + "/**/*.parquet' would see unfinished files (DuckDB's ** enters hidden folders): put it next to the output");
        }
        String compression = s.string("compression", "zstd").trim().toLowerCase(Locale.ROOT);
        if (!COMPRESSIONS.contains(compression)) {
            throw s.required("compression")
                    .error(
                            "unknown compression '"
                                    + compression
                                    + "'; use one of "
                                    + String.join(", ", COMPRESSIONS));
        }
        Map<String, List<String>> partitionByModel = new LinkedHashMap<>();
        List<String> partitionBy = columnsOrPerModel(s, "partition_by", partitionByModel);
        Map<String, List<String>> dedupeByModel = new LinkedHashMap<>();
        List<String> dedupe = columnsOrPerModel(s, "dedupe_key", dedupeByModel);
        return new ParquetOutputConfig(
                path,
                stagingPath.toString(),
                partitionBy,
                partitionByModel,
                dedupe,
                dedupeByModel,
                compression);
    }

    /** A list of columns for every model, or a map of model name to columns. */
    private static List<String> columnsOrPerModel(
            YamlNode s, String key, Map<String, List<String>> perModel) {
        if (s.get(key).isEmpty()) {
            return List.of();
        }
        YamlNode value = s.required(key);
        if (value.isMap()) {
            for (String model : value.keys()) {
                perModel.put(model, columns(value.required(model)));
            }
            return List.of();
        }
        return columns(value);
    }

    private static List<String> columns(YamlNode node) {
        List<String> out = new ArrayList<>();
        for (String c : node.asStringList()) {
            if (c.trim().isEmpty()) {
                throw node.error("column names must not be empty");
            }
            out.add(c.trim());
        }
        return out;
    }

    private DuckDBOutputConfig duckdb(YamlNode s) {
        s.checkKeys(DUCKDB_KEYS);
        boolean hasPath = s.get("path").isPresent();
        boolean hasUrl = s.get("url").isPresent();
        if (hasPath == hasUrl) {
            throw s.error(
                    "set exactly one of 'path' (a DuckDB file) or 'url' (md:<database> for MotherDuck, or a jdbc:duckdb: URL)");
        }
        String url;
        if (hasPath) {
            url = "jdbc:duckdb:" + resolve(s.requiredString("path"));
        } else {
            String u = s.requiredString("url").trim();
            if (u.startsWith("md:")) {
                url = "jdbc:duckdb:" + u;
            } else if (u.startsWith("jdbc:duckdb:")) {
                url = u;
            } else {
                throw s.required("url")
                        .error(
                                "expected md:<database> or jdbc:duckdb:..., got \""
                                        + (u.contains("token") ? "(a URL with a token)" : u)
                                        + "\"");
            }
        }
        String token = s.get("token").map(YamlNode::asString).orElse(null);
        if (token != null && token.isEmpty()) {
            token = null;
        }
        Map<String, String> tables = new LinkedHashMap<>();
        YamlNode t = s.mapOrEmpty("tables");
        for (String model : t.keys()) {
            tables.put(model, t.requiredString(model));
        }
        String g =
                s.string("delivery_guarantee", "exactly-once")
                        .trim()
                        .toLowerCase(Locale.ROOT)
                        .replace('_', '-');
        Guarantee guarantee;
        switch (g) {
            case "exactly-once":
                guarantee = Guarantee.EXACTLY_ONCE;
                break;
            case "at-least-once":
                guarantee = Guarantee.AT_LEAST_ONCE;
                break;
            case "none":
                guarantee = Guarantee.NONE;
                break;
            default:
                throw s.required("delivery_guarantee")
                        .error("expected exactly-once, at-least-once or none, got \"" + g + "\"");
        }
        return new DuckDBOutputConfig(
                url,
                token,
                tables,
                s.bool("create_tables", true),
                guarantee,
                s.bool("release_between_commits", false),
                memoryLimit(s));
    }

    private static String memoryLimit(YamlNode s) {
        String limit =
                s.string("memory_limit", DuckDBConnectionProvider.DEFAULT_MEMORY_LIMIT).trim();
        if (!limit.matches("(?i)\\d+(\\.\\d+)?\\s*([KMGT]i?B|B)")) {
            throw s.required("memory_limit")
                    .error(
                            "expected a size in DuckDB's units, e.g. 512MB, 2GB or 1GiB, got \""
                                    + limit
                                    + "\"");
        }
        return limit;
    }

    // ---------------------------------------------------------------- models.yml

    ModelsConfig models(YamlNode file) {
        file.checkKeys(Set.of("max_file_bytes", "max_age_seconds", "overrides", "incoming"));
        FlushPolicy defaults = policy(file, FlushPolicy.DEFAULT);
        Map<String, FlushPolicy> overrides = new LinkedHashMap<>();
        YamlNode o = file.mapOrEmpty("overrides");
        for (String model : o.keys()) {
            YamlNode node = o.mapOrEmpty(model);
            node.checkKeys(Set.of("max_file_bytes", "max_age_seconds"));
            overrides.put(model, policy(node, defaults));
        }
        YamlNode incoming = file.mapOrEmpty("incoming");
        incoming.checkKeys(Set.of("schema", "infer_from"));
        String schema = incoming.get("schema").map(YamlNode::asString).orElse(null);
        String inferFrom = incoming.get("infer_from").map(n -> resolve(n.asString())).orElse(null);
        if (schema != null && inferFrom != null) {
            throw incoming.required("infer_from")
                    .error("set either incoming.schema or incoming.infer_from, not both");
        }
        return new ModelsConfig(defaults, overrides, schema, inferFrom);
    }

    private static FlushPolicy policy(YamlNode node, FlushPolicy defaults) {
        long bytes =
                node.get("max_file_bytes")
                        .map(ProjectConfigReader::size)
                        .orElse(defaults.maxFileBytes());
        long age = node.longValue("max_age_seconds", defaults.maxAgeSeconds(), 0);
        return new FlushPolicy(bytes, age);
    }

    /** A byte size of at least 1 KiB: {@code 134217728}, {@code 128MB}, {@code 10 MiB}. */
    private static long size(YamlNode node) {
        long bytes;
        try {
            bytes = Sizes.parseBytes(node.asString());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
        if (bytes < 1024) {
            throw node.error("must be at least 1024 bytes, got " + bytes);
        }
        return bytes;
    }

    // ---------------------------------------------------------------- helpers

    String resolve(String path) {
        Path p = Path.of(path.trim());
        return (p.isAbsolute() ? p : root.resolve(p)).toAbsolutePath().normalize().toString();
    }
}
