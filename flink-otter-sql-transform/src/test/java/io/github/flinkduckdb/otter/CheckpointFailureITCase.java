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

    private void run(Path database, boolean injectFailure) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
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
                        .maxBatchSize(100_000)
                        .maxBatchDelay(Duration.ofHours(1))
                        .build();
        OtterStreams out = otter.applyToStrings(messages);
        String url = "jdbc:duckdb:" + database;
        for (String model : otter.modelNames()) {
            DataStream<Row> rows = out.rows(model);
            if (injectFailure && model.equals("orders")) {
                rows = rows.map(new FailOnce(700)).returns(out.rowType(model)).name("fail once");
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
