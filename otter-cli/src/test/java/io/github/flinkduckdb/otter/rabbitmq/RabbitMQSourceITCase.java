package io.github.flinkduckdb.otter.rabbitmq;

import io.github.flinkduckdb.otter.testing.Broker;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.sink.DuckDBSink;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source at parallelism 2 against the test broker (RabbitMQ or Qpid), into an exactly-once
 * DuckDB table that records which reader emitted each message: exact rows, both readers consuming,
 * the queue empty (acknowledged) afterwards; across an injected task failure and a broker restart.
 */
class RabbitMQSourceITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();
    static final AtomicLong SEEN = new AtomicLong();

    private static final TypeInformation<Row> ROW =
            Types.ROW_NAMED(
                    new String[] {"id", "reader", "attempt"}, Types.STRING, Types.INT, Types.INT);

    @TempDir Path dir;
    private Rabbit rabbit;
    private String queue;
    private DuckDBTestDatabase db;

    @BeforeEach
    void setUp() throws Exception {
        rabbit = new Rabbit();
        queue = rabbit.queue("flink-rabbitmq-source-it");
        db = DuckDBTestDatabase.at(dir.resolve("out.duckdb"));
        db.execute("CREATE TABLE messages (id VARCHAR, reader INTEGER, attempt INTEGER)");
        FAILED_ONCE.set(false);
        SEEN.set(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            rabbit.close();
        } finally {
            // After a broker restart the first connection is gone: delete with a fresh one.
            try (Rabbit fresh = new Rabbit()) {
                fresh.forget(queue);
            }
        }
    }

    @Test
    void twoReadersShareTheQueueAndEveryMessageLandsOnceAndIsAcknowledged() throws Exception {
        int n = 20_000;
        publish(0, n);
        JobClient job = start(true, RabbitMQSourceBuilder.DEFAULT_PREFETCH, 300, -1);
        try {
            awaitRows(n, Duration.ofSeconds(120));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        assertExactlyOnce(n);
        List<Map<String, Object>> perReader =
                db.rows(
                        "SELECT reader, count(*) AS n FROM messages GROUP BY reader ORDER BY reader");
        assertThat(perReader).as("both readers consumed").hasSize(2);
        long sum = 0;
        for (Map<String, Object> r : perReader) {
            assertThat(((Number) r.get("n")).longValue()).isPositive();
            sum += ((Number) r.get("n")).longValue();
        }
        assertThat(sum).isEqualTo(n);
        // Cancelling closed the consumers: anything unacknowledged would be back in the queue.
        assertThat(rabbit.count(queue)).as("all acknowledged").isZero();
    }

    @Test
    void checkpointsFasterThanTheBrokerAnswersAcknowledgeEveryMessageOnce() throws Exception {
        // A checkpoint every 10 ms: checkpoints complete while the broker has yet to answer the
        // acknowledgement of an earlier one, and are acknowledged together once it has.
        int n = 10_000;
        publish(0, n);
        JobClient job = start(true, 1_000, 10, -1);
        try {
            awaitRows(n, Duration.ofSeconds(120));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        assertExactlyOnce(n);
        assertThat(rabbit.count(queue)).as("all acknowledged").isZero();
    }

    @Test
    void aFailedTaskRestartsWithoutLosingOrRepeatingAMessage() throws Exception {
        int n = 10_000;
        publish(0, n);
        JobClient job = start(true, 2_000, 200, 2_500);
        try {
            awaitRows(n, Duration.ofSeconds(120));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        assertThat(FAILED_ONCE.get()).as("the failure happened").isTrue();
        assertExactlyOnce(n);
        assertThat(rabbit.count(queue)).as("all acknowledged").isZero();
    }

    @Test
    @Tag(Broker.RESTARTS)
    void aBrokerRestartMidStreamKeepsEveryMessageExactlyOnceWithIds() throws Exception {
        Broker.assumeRestartable();
        int n = 3_000;
        publish(0, n);
        JobClient job = start(true, 100, 500, -1);
        try {
            restartBrokerAfterRows(600);
            awaitRows(n, Duration.ofSeconds(180));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        assertExactlyOnce(n);
        assertThat(rabbit.count(queue)).as("all acknowledged").isZero();
    }

    @Test
    @Tag(Broker.RESTARTS)
    void aBrokerRestartMidStreamLosesNothingAtLeastOnce() throws Exception {
        Broker.assumeRestartable();
        int n = 3_000;
        publish(0, n);
        JobClient job = start(false, 100, 500, -1);
        try {
            restartBrokerAfterRows(600);
            awaitRows(n, Duration.ofSeconds(180));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        assertThat(db.count("SELECT count(DISTINCT id) FROM messages")).isEqualTo(n);
        assertThat(db.count("SELECT count(*) FROM messages")).isGreaterThanOrEqualTo(n);
        assertThat(rabbit.count(queue)).as("all acknowledged").isZero();
    }

    // ------------------------------------------------------------------ helpers

    private void publish(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            rabbit.publish(queue, "{\"n\": " + i + "}", "m-" + i);
        }
    }

    private JobClient start(boolean deduplicate, int prefetch, long checkpointMs, long failAfter)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(checkpointMs);
        RabbitMQSource<String> source = idSource(queue, prefetch, deduplicate);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "RabbitMQ")
                .map(new TagWithReader(failAfter))
                .returns(ROW)
                .sinkTo(
                        DuckDBSink.forRows(db.url(), "messages")
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .build());
        return env.executeAsync("rabbitmq-source-it");
    }

    /** A source on the test broker's {@code queue} that emits each message's correlation id. */
    static RabbitMQSource<String> idSource(String queue, int prefetch, boolean deduplicate)
            throws Exception {
        return RabbitMQSource.<String>builder()
                .setHost(Rabbit.broker().host())
                .setPort(Rabbit.broker().port())
                .setUsername(Rabbit.broker().username())
                .setPasswordEnv("OTTER_TEST_RABBITMQ_PASSWORD")
                .setQueue(queue)
                .setPrefetchCount(prefetch)
                .setDeduplication(deduplicate)
                .setDeserializer(new IdDeserializer())
                .build();
    }

    private void awaitRows(int n, Duration timeout) throws Exception {
        Poll.until(
                n + " rows, the queue drained",
                timeout,
                // The broker first: a DuckDB query holds the file the sink's committer writes.
                () ->
                        rabbit.count(queue) == 0
                                && db.count("SELECT count(DISTINCT id) FROM messages") == n);
        // Let a few more checkpoints complete: a late duplicate would show up here.
        Thread.sleep(2_000);
    }

    private void assertExactlyOnce(int n) {
        assertThat(db.count("SELECT count(*) FROM messages"))
                .as(
                        "rows per reader and attempt: %s; repeated ids per reader: %s",
                        db.rows(
                                "SELECT reader, attempt, count(*) AS n FROM messages"
                                        + " GROUP BY reader, attempt ORDER BY reader, attempt"),
                        db.rows(
                                "SELECT reader, attempt, count(*) AS n, min(id) AS first, max(id) AS last"
                                        + " FROM messages WHERE id IN (SELECT id FROM messages"
                                        + " GROUP BY id HAVING count(*) > 1) GROUP BY reader, attempt"))
                .isEqualTo(n);
        assertThat(db.count("SELECT count(DISTINCT id) FROM messages")).isEqualTo(n);
        assertThat(
                        db.count(
                                "SELECT count(*) FROM range("
                                        + n
                                        + ") r WHERE 'm-' || r.range NOT IN (SELECT id FROM messages)"))
                .as("missing ids")
                .isZero();
    }

    /** Restarts the broker (down for 4 s) once {@code rows} rows are committed. */
    private void restartBrokerAfterRows(int rows) throws Exception {
        Poll.until(
                rows + " rows before the restart",
                Duration.ofSeconds(60),
                () -> db.count("SELECT count(*) FROM messages") >= rows);
        Broker.restart(rabbit, Duration.ofSeconds(4));
    }

    /** The message's correlation id as the record. */
    static final class IdDeserializer implements RabbitMQDeserializer<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String deserialize(
                String queue, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            return properties.getCorrelationId();
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    /** (id, reader index); throws once after {@code failAfter} records when positive. */
    static final class TagWithReader extends RichMapFunction<String, Row> {
        private static final long serialVersionUID = 1L;
        private final long failAfter;

        TagWithReader(long failAfter) {
            this.failAfter = failAfter;
        }

        @Override
        public Row map(String id) {
            if (failAfter > 0
                    && SEEN.incrementAndGet() > failAfter
                    && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + failAfter + " records");
            }
            Row r = Row.withNames();
            r.setField("id", id);
            r.setField("reader", getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
            r.setField("attempt", getRuntimeContext().getTaskInfo().getAttemptNumber());
            return r;
        }
    }
}
