package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.sink.DuckDBSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No message is lost in the micro-batch buffer: with batches flushed only at checkpoint barriers
 * (the latency timer is an hour), a job that fails in the middle and restarts from its last
 * checkpoint writes exactly as many rows through an exactly-once DuckDB sink as a job that does not
 * fail.
 */
class CheckpointFailureITCase {

    private static final int MESSAGES = 4_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final AtomicInteger FAILURES = new AtomicInteger();

    @TempDir Path dir;

    /** Order {@code i} has {@code i % 4} items. */
    static String order(long i) {
        StringBuilder items = new StringBuilder("[");
        for (int k = 0; k < i % 4; k++) {
            if (k > 0) {
                items.append(", ");
            }
            items.append("{\"sku\": \"S-")
                    .append(k)
                    .append("\", \"name\": \"n\", \"quantity\": ")
                    .append(k + 1)
                    .append(", \"price\": 1.25}");
        }
        items.append(']');
        return "{\"order_id\": "
                + i
                + ", \"user\": {\"id\": "
                + (i % 10)
                + ", \"name\": \"u\"}, \"items\": "
                + items
                + ", \"currency\": \"EUR\", \"placed_at\": \"2026-11-01T10:00:00Z\"}";
    }

    private static long expectedPurchases() {
        long n = 0;
        for (long i = 0; i < MESSAGES; i++) {
            n += i % 4;
        }
        return n;
    }

    /** Where the models run. */
    enum Runner {
        /** {@code apply}, batches flushed at barriers only (the latency timer is an hour). */
        OPERATOR,
        /**
         * {@link OtterProcessFunction} at parallelism 1 in batches of 1,000: a function cannot see
         * the end of input, so 4,000 messages end a batch; the failure comes in the third batch's
         * rows, after checkpoints that held buffered messages in state.
         */
        FUNCTION,
        /**
         * {@link OtterKeyedProcessFunction} at parallelism 2 behind a {@code keyBy}, batches of
         * 1,000 spanning keys, the last partial ones run at the end of input.
         */
        KEYED_FUNCTION
    }

    private void run(Path database, boolean injectFailure) throws Exception {
        run(database, injectFailure, Runner.OPERATOR);
    }

    private void run(Path database, boolean injectFailure, Runner runner) throws Exception {
        boolean processFunction = runner == Runner.FUNCTION;
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(processFunction ? 1 : 2);
        env.enableCheckpointing(200);

        DataGeneratorSource<String> source =
                new DataGeneratorSource<>(
                        CheckpointFailureITCase::order,
                        MESSAGES,
                        RateLimiterStrategy.perSecond(2_000),
                        Types.STRING);
        DataStream<String> messages =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "orders");

        OtterTransform otter =
                OtterFixtures.seedTransform()
                        .maxBatchSize(runner == Runner.OPERATOR ? 100_000 : 1_000)
                        .maxBatchDelay(Duration.ofHours(1))
                        .build();
        Map<String, DataStream<Row>> streams = new HashMap<>();
        if (processFunction) {
            SingleOutputStreamOperator<Row> orders =
                    messages.process(otter.processFunction(String.class)).name("otter");
            streams.put("orders", orders);
            streams.put("purchases", orders.getSideOutput(otter.outputTag("purchases")));
        } else if (runner == Runner.KEYED_FUNCTION) {
            SingleOutputStreamOperator<Row> orders =
                    messages.keyBy(s -> Math.floorMod(s.hashCode(), 16), Types.INT)
                            .process(otter.<Integer, String>keyedProcessFunction(String.class))
                            .name("otter");
            streams.put("orders", orders);
            streams.put("purchases", orders.getSideOutput(otter.outputTag("purchases")));
        } else {
            OtterStreams out = otter.applyToStrings(messages);
            for (String model : otter.modelNames()) {
                streams.put(model, out.rows(model));
            }
        }
        String url = "jdbc:duckdb:" + database;
        for (String model : otter.modelNames()) {
            DataStream<Row> rows = streams.get(model);
            if (injectFailure && model.equals("orders")) {
                rows =
                        rows.map(new FailOnce(processFunction ? 2_500 : 700))
                                .returns(otter.rowType(model))
                                .name("fail once");
            }
            rows.sinkTo(
                            DuckDBSink.forRows(url, model)
                                    .setCreateTableSql(otter.createTableSql(model, model))
                                    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                    .build())
                    .name("DuckDB " + model);
        }
        env.execute("otter with checkpoints");
    }

    private static long count(Path database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aJobWithoutFailureWritesEveryRowOnce() throws Exception {
        Path db = dir.resolve("steady.duckdb");
        run(db, false);
        assertThat(count(db, "SELECT count(*) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT count(*) FROM purchases")).isEqualTo(expectedPurchases());
    }

    @Test
    void aJobThatFailsAndRestartsFromItsCheckpointLosesAndDuplicatesNothing() throws Exception {
        Path db = dir.resolve("failing.duckdb");
        FAILURES.set(0);
        run(db, true);
        assertThat(FAILURES.get()).as("the failure was injected").isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT min(order_id) FROM orders")).isZero();
        assertThat(count(db, "SELECT max(order_id) FROM orders")).isEqualTo(MESSAGES - 1);
        assertThat(count(db, "SELECT count(*) FROM purchases")).isEqualTo(expectedPurchases());
        assertThat(count(db, "SELECT count(*) FROM (SELECT DISTINCT order_id, sku FROM purchases)"))
                .isEqualTo(expectedPurchases());
    }

    @Test
    void theProcessFunctionKeepsItsBufferInStateThroughAFailure() throws Exception {
        Path db = dir.resolve("function.duckdb");
        FAILURES.set(0);
        run(db, true, Runner.FUNCTION);
        assertThat(FAILURES.get()).as("the failure was injected").isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT count(*) FROM purchases")).isEqualTo(expectedPurchases());
        assertThat(count(db, "SELECT count(*) FROM (SELECT DISTINCT order_id, sku FROM purchases)"))
                .isEqualTo(expectedPurchases());
    }

    @Test
    void theKeyedProcessFunctionRunsItsLastBatchesAtTheEndOfInputThroughAFailure()
            throws Exception {
        Path db = dir.resolve("keyed.duckdb");
        FAILURES.set(0);
        run(db, true, Runner.KEYED_FUNCTION);
        assertThat(FAILURES.get()).as("the failure was injected").isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT count(DISTINCT order_id) FROM orders")).isEqualTo(MESSAGES);
        assertThat(count(db, "SELECT count(*) FROM purchases")).isEqualTo(expectedPurchases());
        assertThat(count(db, "SELECT count(*) FROM (SELECT DISTINCT order_id, sku FROM purchases)"))
                .isEqualTo(expectedPurchases());
    }

    /** Throws once, in the first attempt of subtask 0, after some rows have passed. */
    static final class FailOnce extends RichMapFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final int after;
        private transient int seen;
        private transient boolean armed;

        FailOnce(int after) {
            this.after = after;
        }

        @Override
        public void open(OpenContext openContext) {
            armed =
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                            && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0;
        }

        @Override
        public Row map(Row row) {
            if (armed && ++seen > after) {
                armed = false;
                FAILURES.incrementAndGet();
                throw new IllegalStateException("Injected failure after " + after + " rows (test)");
            }
            return row;
        }
    }
}
