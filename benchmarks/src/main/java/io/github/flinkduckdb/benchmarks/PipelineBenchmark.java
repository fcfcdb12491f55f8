package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.runner.OtterRun;
import io.github.flinkduckdb.otter.runner.ProjectTransforms;
import io.github.flinkduckdb.otter.runner.RunOptions;
import io.github.flinkduckdb.testing.brokers.AmqpBroker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * RabbitMQ to the seed's models to Parquet, as {@code otter run} runs it (embedded MiniCluster, our
 * FLIP-27 RabbitMQ source acknowledging at checkpoints), against a plain consumer of the same queue
 * at its own best settings for throughput ({@link RawConsumer}). Prints RESULT lines for both and,
 * as the last field of the pipeline line, the median latency from publishing a message to its row
 * being readable in the Parquet files.
 */
final class PipelineBenchmark {

    /** The pipeline's prefetch ({@code -Dbench.pipeline.prefetch} for experiments). */
    static final int PREFETCH = Integer.getInteger("bench.pipeline.prefetch", 20_000);

    /** The pipeline's checkpoint interval ({@code -Dbench.pipeline.checkpoint-ms}). */
    static final long ACK_INTERVAL_MS = Long.getLong("bench.pipeline.checkpoint-ms", 500);

    /** The pipeline's micro-batch size ({@code batch_size} of its source). */
    static final int BATCH_SIZE = 1_000;

    /**
     * The untimed warm-up before the timed runs has this share of their messages (1: as many;
     * {@code -Dbench.warmupDivisor=N} for a smaller one): the raw consumer and the pipeline run
     * once on it in the same JVM, so that the timed runs measure compiled code rather than the JIT
     * compiling Flink, the RabbitMQ client and the transform, as the sink cases' steady parts start
     * after their first quarter. Without a warm-up one C2 compiler thread took 11 CPU seconds in a
     * 240,000-message case; after a warm-up of a quarter the JIT's threads still took 3.1 to 3.8 of
     * the pipeline's 15 to 16 JVM CPU seconds in the timed window, after one of as many 2.1 to 2.2.
     */
    static final int WARMUP_DIVISOR = Integer.getInteger("bench.warmupDivisor", 1);

    /**
     * Results whose "seconds" are the CPU seconds a variant used in its timed window: this JVM
     * (consumer, MiniCluster, DuckDB, Parquet), and with {@link #BROKER} appended the RabbitMQ
     * broker's process.
     */
    static final String PIPELINE_RAW_CPU = "pipeline-raw-consumer-cpu";

    static final String PIPELINE_ALONE_CPU = "pipeline-consumer-transform-cpu";
    static final String PIPELINE_P1_CPU = "pipeline-otter-cpu";
    static final String PIPELINE_P2_CPU = "pipeline-otter-p2-cpu";
    static final String BROKER = "-broker";

    /**
     * Prefix of the results that split the pipeline's (parallelism 1) JVM CPU by thread group
     * ({@link ProcessCpu#THREAD_GROUPS}, then "other").
     */
    static final String PIPELINE_P1_THREADS = "pipeline-otter-cpu-thread-";

    private PipelineBenchmark() {}

    private static void printCpu(String name, int messages, double[] cpuSeconds) {
        System.out.printf(
                java.util.Locale.ROOT,
                "RESULT|%s|%d|%.3f|0|0|ok|0|0%nRESULT|%s|%d|%.3f|0|0|ok|0|0%n",
                name,
                messages,
                Math.max(cpuSeconds[0], 0.001),
                name + BROKER,
                messages,
                Math.max(cpuSeconds[1], 0.001));
    }

    static void run(int messages, Path workDir) throws Exception {
        Path work = workDir.toAbsolutePath();
        AmqpBroker amqp = AmqpBroker.get();
        List<OtterMessage> generated = TransformBenchmark.messages(messages);
        List<byte[]> bodies = new ArrayList<>(messages);
        for (OtterMessage m : generated) {
            bodies.add(m.getPayload());
        }
        long validOrders = validOrders(bodies);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        try (Connection connection = RawConsumer.connect(amqp, "benchmark")) {
            Channel admin = connection.createChannel();
            try (BenchmarkQueues queues = BenchmarkQueues.open(amqp, admin)) {
                String rawQueue = queues.declare("raw-" + suffix);
                String aloneQueue = queues.declare("alone-" + suffix);
                String pipeQueue = queues.declare("pipeline-" + suffix);
                queues.declare("pipeline-" + suffix + ".dlq");
                String pipeQueue2 = queues.declare("pipeline-p2-" + suffix);
                queues.declare("pipeline-p2-" + suffix + ".dlq");
                RawConsumer.publish(admin, rawQueue, bodies, 0);
                RawConsumer.publish(admin, aloneQueue, bodies, 0);
                RawConsumer.publish(admin, pipeQueue, bodies, 0);
                RawConsumer.publish(admin, pipeQueue2, bodies, 0);
                Path project = project(work.resolve("pipeline-" + suffix), amqp, pipeQueue);
                // The models as the pipeline builds them, for the consumer running them itself.
                OtterTransform models = transform(project);
                warmUp(
                        connection,
                        admin,
                        queues,
                        amqp,
                        work,
                        suffix,
                        models,
                        bodies.subList(0, Math.max(1, messages / WARMUP_DIVISOR)));

                ProcessCpu.awaitQuietBroker();
                TimedWindow raw =
                        RawConsumer.consume(
                                connection,
                                rawQueue,
                                messages,
                                RawConsumer.PREFETCH,
                                RawConsumer.ACK_EVERY,
                                false);
                System.out.println(raw.result(BenchmarkSuite.PIPELINE_RAW, 0));
                printCpu(PIPELINE_RAW_CPU, messages, raw.cpuPerWindow());

                // The pipeline's own limit: the raw consumer running the models itself.
                ProcessCpu.awaitQuietBroker();
                TimedWindow alone =
                        ConsumerTransform.consume(
                                connection, aloneQueue, messages, models, validOrders);
                System.out.println(alone.result(BenchmarkSuite.PIPELINE_ALONE, 0));
                printCpu(PIPELINE_ALONE_CPU, messages, alone.cpuPerWindow());

                ProcessCpu.awaitQuietBroker();
                long[] latency = new long[1];
                TimedWindow p1 =
                        pipeline(
                                project, validOrders, admin, pipeQueue, messages, 1, latency, true);
                System.out.println(p1.result(BenchmarkSuite.PIPELINE_P1, latency[0]));
                printCpu(PIPELINE_P1_CPU, messages, p1.cpuPerWindow());
                for (Map.Entry<String, Double> group : p1.threadsPerWindow().entrySet()) {
                    System.out.printf(
                            java.util.Locale.ROOT,
                            "RESULT|%s%s|%d|%.3f|0|0|ok|0|0%n",
                            PIPELINE_P1_THREADS,
                            group.getKey(),
                            messages,
                            Math.max(group.getValue(), 0.001));
                }

                // The same pipeline with two competing consumers on the queue (two source
                // readers, two transform and Parquet writer subtasks).
                Path project2 = project(work.resolve("pipeline-p2-" + suffix), amqp, pipeQueue2);
                // Its latency is not measured: the report gives the one of parallelism 1.
                ProcessCpu.awaitQuietBroker();
                TimedWindow p2 =
                        pipeline(
                                project2, validOrders, admin, pipeQueue2, messages, 2, null, false);
                System.out.println(p2.result(BenchmarkSuite.PIPELINE_P2, 0));
                printCpu(PIPELINE_P2_CPU, messages, p2.cpuPerWindow());
            }
        }
    }

    /**
     * Runs the raw consumer, the consumer running {@code models} and the pipeline once on {@code
     * bodies}, untimed, so that the timed runs after it measure compiled code rather than the JIT
     * compiling it.
     */
    private static void warmUp(
            Connection connection,
            Channel admin,
            BenchmarkQueues queues,
            AmqpBroker amqp,
            Path work,
            String suffix,
            OtterTransform models,
            List<byte[]> bodies)
            throws Exception {
        String raw = queues.declare("warm-raw-" + suffix);
        String alone = queues.declare("warm-alone-" + suffix);
        String pipe = queues.declare("warm-pipeline-" + suffix);
        String dlq = queues.declare("warm-pipeline-" + suffix + ".dlq");
        long valid = validOrders(bodies);
        RawConsumer.publish(admin, raw, bodies, 0);
        RawConsumer.publish(admin, alone, bodies, 0);
        RawConsumer.publish(admin, pipe, bodies, 0);
        RawConsumer.consume(
                connection, raw, bodies.size(), RawConsumer.PREFETCH, RawConsumer.ACK_EVERY, false);
        ConsumerTransform.consume(connection, alone, bodies.size(), models, valid);
        Path project = project(work.resolve("pipeline-warm-" + suffix), amqp, pipe);
        pipeline(project, valid, admin, pipe, bodies.size(), 1, null, false);
        // Deleted before the timed runs, so that the broker holds only their queues.
        for (String q : List.of(raw, alone, pipe, dlq)) {
            queues.delete(q);
        }
    }

    /** The bodies that are orders (the generator's malformed ones contain "[oops"). */
    private static long validOrders(List<byte[]> bodies) {
        long valid = 0;
        for (byte[] b : bodies) {
            if (!new String(b, StandardCharsets.UTF_8).contains("[oops")) {
                valid++;
            }
        }
        return valid;
    }

    /** The transform of the project in {@code project}, as {@code otter run} builds it. */
    private static OtterTransform transform(Path project) throws Exception {
        return ProjectTransforms.build(
                OtterProject.load(project, null, null, Interpolator.fromEnvironment()));
    }

    private static Path project(Path dir, AmqpBroker amqp, String queue) throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(
                dir.resolve("models/orders.sql"),
                TransformBenchmark.resource("/otter/models/orders.sql"));
        Files.writeString(
                dir.resolve("models/purchases.sql"),
                TransformBenchmark.resource("/otter/models/purchases.sql"));
        Files.writeString(
                dir.resolve("config/sources.yml"),
                "source:\n  type: rabbitmq\n"
                        + amqp.connectionYaml()
                        + "  queue: "
                        + queue
                        + "\n  correlation_id: true\n  prefetch: "
                        + PREFETCH
                        + "\n  batch_size: "
                        + BATCH_SIZE
                        + "\n  batch_timeout_ms: 100\n");
        Files.writeString(
                dir.resolve("config/sinks.yml"),
                "sinks:\n  parquet:\n    path: " + dir.toAbsolutePath().resolve("out") + "\n");
        Files.writeString(
                dir.resolve("config/models.yml"),
                "max_file_bytes: 134217728\nmax_age_seconds: 0\nincoming:\n  schema: >-\n    "
                        + TransformBenchmark.resource("/otter/incoming-schema.txt")
                                .replace("\n", " ")
                                .trim()
                        + "\n");
        return dir;
    }

    /**
     * Runs the pipeline until every order is readable in Parquet; returns the ended window (its
     * steady part after a quarter of the orders, its CPU split by thread with {@code byThread}).
     * With {@code medianLatencyMillis} not null, then measures the latency of single messages into
     * it.
     */
    static TimedWindow pipeline(
            Path project,
            long validOrders,
            Channel channel,
            String queue,
            int messages,
            int parallelism,
            long[] medianLatencyMillis,
            boolean byThread)
            throws Exception {
        OtterProject loaded =
                OtterProject.load(project, null, null, Interpolator.fromEnvironment());
        OtterTransform transform = ProjectTransforms.build(loaded);
        RunOptions options =
                new RunOptions(
                        Duration.ofMillis(ACK_INTERVAL_MS),
                        parallelism,
                        null,
                        project.resolve(".otter"),
                        true,
                        null,
                        -1,
                        Duration.ofHours(1),
                        null,
                        0);
        PrintStream quiet =
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        OtterRun run = new OtterRun(loaded, transform, options, quiet);
        Thread runner =
                new Thread(
                        () -> {
                            try {
                                run.run();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "otter-run");
        runner.setDaemon(true);
        runner.start();
        if (!run.awaitSubmitted(Duration.ofMinutes(2))) {
            throw new IllegalStateException("The pipeline did not start");
        }
        // The clock starts when the job's RabbitMQ consumer registers with the broker, as the raw
        // consumer's starts at basicConsume: job submission and task deployment are a one-time
        // cost outside the steady state both sides are compared on.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (channel.consumerCount(queue) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The pipeline's consumer never registered");
            }
            Thread.sleep(2);
        }
        TimedWindow window = new TimedWindow(messages, validOrders, byThread);
        long start = System.nanoTime();
        try (ParquetOrders orders = new ParquetOrders(project)) {
            long count;
            while ((count = orders.count()) < validOrders) {
                window.passed(count);
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(5)) {
                    throw new IllegalStateException(
                            "Only "
                                    + orders.count()
                                    + " of "
                                    + validOrders
                                    + " orders after 5 minutes");
                }
                Thread.sleep(50);
            }
            window.end();
            if (medianLatencyMillis != null) {
                medianLatencyMillis[0] = latency(orders, channel, queue);
            }
            run.requestStop();
            runner.join(TimeUnit.MINUTES.toMillis(2));
            return window;
        }
    }

    /** Single messages into the idle pipeline; the median time until each row is readable. */
    private static long latency(ParquetOrders orders, Channel channel, String queue)
            throws Exception {
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long before = orders.count();
            long t0 = System.nanoTime();
            String body =
                    "{\"order_id\": "
                            + (10_000_000 + i)
                            + ", \"user\": {\"id\": 1, \"name\": \"probe\"}, \"items\": [],"
                            + " \"currency\": \"EUR\", \"placed_at\": \"2026-11-01T10:00:00Z\"}";
            channel.basicPublish(
                    "",
                    queue,
                    new AMQP.BasicProperties.Builder().correlationId("probe-" + i).build(),
                    body.getBytes(StandardCharsets.UTF_8));
            while (orders.count() <= before) {
                Thread.sleep(10);
            }
            latencies.add((System.nanoTime() - t0) / 1_000_000);
        }
        Collections.sort(latencies);
        return latencies.get(latencies.size() / 2);
    }
}
