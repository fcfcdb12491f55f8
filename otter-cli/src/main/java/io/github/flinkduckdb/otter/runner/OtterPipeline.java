package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.OtterStreams;
import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.ShapedRow;
import io.github.flinkduckdb.otter.dlq.DeadLetterRows;
import io.github.flinkduckdb.otter.dlq.KafkaDeadLetterSerializer;
import io.github.flinkduckdb.otter.dlq.RabbitMQDeadLetterPublisher;
import io.github.flinkduckdb.otter.parquet.ParquetModelOutput;
import io.github.flinkduckdb.otter.parquet.ParquetOutput;
import io.github.flinkduckdb.otter.project.DuckDBOutputConfig;
import io.github.flinkduckdb.otter.project.FileSourceConfig;
import io.github.flinkduckdb.otter.project.FlushPolicy;
import io.github.flinkduckdb.otter.project.KafkaSourceConfig;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.project.ParquetOutputConfig;
import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;
import io.github.flinkduckdb.otter.project.SourceConfig;
import io.github.flinkduckdb.otter.rabbitmq.RabbitMQSource;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.sink.DuckDBSink;
import io.github.flinkduckdb.sink.DuckDBSinkBuilder;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Assembles an Otter project as a Flink job: source, the models, Parquet and/or DuckDB per model,
 * dead letters to the DLQ. Every stateful operator has a stable uid, so checkpoints and savepoints
 * of one run restore into the next.
 *
 * <pre>
 * source (rabbitmq | kafka | file) -> count -> Otter models -+-> count -> Parquet: model  (per model)
 *                                                            |          -> DuckDB: model
 *                                                            +-> dead letters -> count -> DLQ
 * </pre>
 */
public final class OtterPipeline {

    /** Accumulator and metric: messages read from the source. */
    public static final String MESSAGES_IN = "otter.messages";

    /** Accumulator and metric: dead-letter records. */
    public static final String DEAD_LETTERS = "otter.deadLetters";

    /** The Kafka transaction timeout of the DLQ producer: below the broker's 15 min maximum. */
    static final String DLQ_TRANSACTION_TIMEOUT_MS = "600000";

    private OtterPipeline() {}

    /** Accumulator and metric: rows a model produced. */
    public static String rowsOut(String model) {
        return "otter.rows." + model;
    }

    /**
     * Adds the project's pipeline to {@code env}.
     *
     * @param transform the project's validated transform ({@link ProjectTransforms#build})
     */
    public static void build(
            StreamExecutionEnvironment env, OtterProject project, OtterTransform transform) {
        // Every operator of the pipeline is ours, and none changes a record it received or emitted
        // (the sources emit a new message per delivery, the transform a new row per result row), so
        // chained operators may pass records without Flink's defensive copy (a copy of every
        // message body and every row otherwise). Records between tasks are serialized as before.
        env.getConfig().enableObjectReuse();
        SingleOutputStreamOperator<OtterMessage> messages =
                source(env, project.source())
                        .map(new CountingMap<OtterMessage>(MESSAGES_IN))
                        .returns(TypeInformation.of(OtterMessage.class))
                        .uid("count-messages")
                        .name("Count messages");
        OtterStreams out = transform.applyToMessages(messages);
        out.operator().uid("otter-models").name("Otter models");

        for (String model : transform.modelNames()) {
            if (transform.isSchemaFree()) {
                shapedOutputs(project, out, model);
                continue;
            }
            DataStream<Row> rows =
                    out.rows(model)
                            .map(new CountingMap<Row>(rowsOut(model)))
                            .returns(out.rowType(model))
                            .uid("count-rows-" + model)
                            .name("Count rows: " + model);
            if (project.sinks().parquetOutput().isPresent()) {
                ParquetOutput.write(
                        rows, parquet(project, model, transform.outputSchema(model)), "parquet-");
            }
            if (project.sinks().duckdbOutput().isPresent()) {
                DuckDBOutputConfig d = project.sinks().duckdb();
                createParentFolder(d);
                String table = d.table(model);
                DuckDBSinkBuilder<Row> b =
                        DuckDBSink.forRows(d.url(), table)
                                .setDeliveryGuarantee(guarantee(d.guarantee()))
                                .setReleaseDatabaseBetweenCommits(d.releaseBetweenCommits())
                                .setDuckDBSetting("memory_limit", d.memoryLimit());
                if (d.createTables()) {
                    b.setCreateTableSql(transform.createTableSql(model, table));
                }
                if (d.token() != null) {
                    b.setMotherDuckToken(d.token());
                }
                rows.sinkTo(b.build()).uid("duckdb-" + model).name("DuckDB: " + model);
            }
        }

        DataStream<OtterDeadLetter> deadLetters =
                out.deadLetters()
                        .map(new CountingMap<OtterDeadLetter>(DEAD_LETTERS))
                        .returns(TypeInformation.of(OtterDeadLetter.class))
                        .uid("count-dead-letters")
                        .name("Count dead letters");
        deadLetterOutput(deadLetters, project.source());
    }

    /**
     * Without incoming.schema a model's rows carry their columns, which follow each message's
     * shape: Parquet only (checked by {@link ProjectChecks}), each shape in its own files.
     */
    private static void shapedOutputs(OtterProject project, OtterStreams out, String model) {
        if (project.sinks().parquetOutput().isEmpty()) {
            return;
        }
        DataStream<ShapedRow> rows =
                out.shapedRows(model)
                        .map(new CountingMap<ShapedRow>(rowsOut(model)))
                        .returns(ShapedRow.typeInfo())
                        .uid("count-rows-" + model)
                        .name("Count rows: " + model);
        ParquetOutput.write(rows, parquet(project, model, null), "parquet-");
    }

    /**
     * A model's Parquet output as configured.
     *
     * @param columns the model's output columns, or null when its rows carry their own
     */
    private static ParquetModelOutput parquet(
            OtterProject project, String model, List<ColumnSchema> columns) {
        ParquetOutputConfig p = project.sinks().parquet();
        return new ParquetModelOutput(
                model,
                columns,
                p.path(),
                p.stagingPath(),
                p.partitionBy(model),
                p.dedupeKey(model),
                p.compression(),
                project.modelsConfig().policy(model),
                "256MB");
    }

    static DataStream<OtterMessage> source(StreamExecutionEnvironment env, SourceConfig config) {
        if (config instanceof RabbitMQSourceConfig) {
            return rabbitmq(env, (RabbitMQSourceConfig) config);
        }
        if (config instanceof KafkaSourceConfig) {
            KafkaSourceConfig k = (KafkaSourceConfig) config;
            KafkaSourceBuilder<OtterMessage> b =
                    KafkaSource.<OtterMessage>builder()
                            .setBootstrapServers(k.bootstrapServers())
                            .setTopics(k.topics())
                            .setGroupId(k.groupId())
                            .setDeserializer(new KafkaMessageDeserializer(k))
                            .setStartingOffsets(startingOffsets(k.startingOffsets()))
                            .setProperty("commit.offsets.on.checkpoint", "true");
            // properties_env entries are ${env:NAME} placeholders here: Kafka's clients resolve
            // them where they are created, so the values never enter the job graph.
            b.setProperties(k.clientProperties());
            return env.fromSource(
                            b.build(),
                            WatermarkStrategy.noWatermarks(),
                            "Kafka: " + String.join(",", k.topics()))
                    .uid("source-kafka");
        }
        FileSourceConfig f = (FileSourceConfig) config;
        FileSource.FileSourceBuilder<String> b =
                FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(f.path()));
        if (f.watch()) {
            b.monitorContinuously(f.monitorInterval());
        }
        return env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "Files: " + f.path())
                .uid("source-file")
                .flatMap(new JsonLines(f.path()))
                .returns(TypeInformation.of(OtterMessage.class))
                .uid("json-lines")
                .name("JSON lines");
    }

    /**
     * Our FLIP-27 source: one competing consumer per parallel reader (the job's parallelism),
     * acknowledging at checkpoints; with {@code correlation_id: true} de-duplicated by message or
     * correlation id across readers and restarts.
     */
    private static DataStream<OtterMessage> rabbitmq(
            StreamExecutionEnvironment env, RabbitMQSourceConfig config) {
        RabbitMQSource<OtterMessage> source =
                RabbitMQSource.<OtterMessage>builder()
                        .setConnection(config.connection())
                        .setQueue(config.queue())
                        .setDeclareQueue(config.declareQueues())
                        .setPrefetchCount(config.prefetch())
                        .setDeduplication(config.useCorrelationId())
                        .setDeserializer(new RabbitMQMessageDeserializer())
                        .build();
        return env.fromSource(
                        source, WatermarkStrategy.noWatermarks(), "RabbitMQ: " + config.queue())
                .uid("source-rabbitmq");
    }

    private static OffsetsInitializer startingOffsets(String mode) {
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    private static void deadLetterOutput(
            DataStream<OtterDeadLetter> deadLetters, SourceConfig config) {
        if (config instanceof RabbitMQSourceConfig) {
            RabbitMQSourceConfig r = (RabbitMQSourceConfig) config;
            // A task of its own on both lines, as the Parquet writers (see ParquetOutput): at each
            // completed checkpoint it publishes that checkpoint's letters in an AMQP transaction.
            deadLetters
                    .transform("DLQ: " + r.dlq(), Types.VOID, new RabbitMQDeadLetterPublisher(r))
                    .setParallelism(1)
                    .uid("dlq-rabbitmq")
                    .startNewChain();
        } else if (config instanceof KafkaSourceConfig) {
            KafkaSourceConfig k = (KafkaSourceConfig) config;
            Properties props = k.clientProperties();
            props.put("transaction.timeout.ms", DLQ_TRANSACTION_TIMEOUT_MS);
            KafkaSink<OtterDeadLetter> sink =
                    KafkaSink.<OtterDeadLetter>builder()
                            .setBootstrapServers(k.bootstrapServers())
                            .setKafkaProducerConfig(props)
                            .setRecordSerializer(new KafkaDeadLetterSerializer(k.dlqTopic()))
                            .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                            .setTransactionalIdPrefix(
                                    "otter-dlq-" + k.groupId().replaceAll("[^A-Za-z0-9._-]", "_"))
                            .build();
            deadLetters.sinkTo(sink).uid("dlq-kafka").name("DLQ: " + k.dlqTopic());
        } else {
            FileSourceConfig f = (FileSourceConfig) config;
            java.nio.file.Path dlq = java.nio.file.Path.of(f.dlqPath());
            java.nio.file.Path parent = dlq.getParent() == null ? dlq : dlq.getParent();
            ParquetOutput.write(
                    deadLetters
                            .map(new DeadLetterRows())
                            .returns(DeadLetterRows.type())
                            .uid("dead-letter-rows")
                            .name("Dead letters as rows"),
                    new ParquetModelOutput(
                            DeadLetterRows.NAME,
                            DeadLetterRows.COLUMNS,
                            dlq.toString(),
                            parent.resolve("." + dlq.getFileName() + ".otter-staging").toString(),
                            java.util.List.of(),
                            java.util.List.of(),
                            "zstd",
                            new FlushPolicy(FlushPolicy.DEFAULT.maxFileBytes(), 0),
                            "64MB"),
                    "dlq-parquet-");
        }
    }

    /**
     * DuckDB creates a database file but not its folder. Made where the job is built; on a cluster
     * the folder must exist on the TaskManagers' machines as well.
     */
    private static void createParentFolder(DuckDBOutputConfig d) {
        String prefix = "jdbc:duckdb:";
        if (d.isMotherDuck() || !d.url().startsWith(prefix)) {
            return;
        }
        String path = d.url().substring(prefix.length());
        int q = path.indexOf('?');
        path = q < 0 ? path : path.substring(0, q);
        if (path.isEmpty() || path.equals(":memory:")) {
            return;
        }
        java.nio.file.Path parent = java.nio.file.Path.of(path).toAbsolutePath().getParent();
        if (parent != null) {
            try {
                java.nio.file.Files.createDirectories(parent);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(
                        "Cannot create the folder of the DuckDB database " + path + ": " + e, e);
            }
        }
    }

    private static DeliveryGuarantee guarantee(DuckDBOutputConfig.Guarantee g) {
        switch (g) {
            case AT_LEAST_ONCE:
                return DeliveryGuarantee.AT_LEAST_ONCE;
            case NONE:
                return DeliveryGuarantee.NONE;
            default:
                return DeliveryGuarantee.EXACTLY_ONCE;
        }
    }

    /** One message per non-blank line of a JSON-lines file. */
    static final class JsonLines implements FlatMapFunction<String, OtterMessage> {

        private static final long serialVersionUID = 1L;
        private final String source;

        JsonLines(String source) {
            this.source = source;
        }

        @Override
        public void flatMap(String line, Collector<OtterMessage> out) {
            if (!line.trim().isEmpty()) {
                out.collect(
                        new OtterMessage(
                                line.getBytes(StandardCharsets.UTF_8), source, null, null, null));
            }
        }
    }
}
