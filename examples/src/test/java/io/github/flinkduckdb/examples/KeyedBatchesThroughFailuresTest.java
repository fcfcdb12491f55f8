package io.github.flinkduckdb.examples;

import io.github.flinkduckdb.sink.DuckDBSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's job as written against the Flink line it is compiled for (this test is compiled against
 * Flink 1.20 in examples and against Flink 2.2 in lines/flink-2.2/examples): keyed batches written
 * exactly-once while the job fails twice in the middle and restarts from its last checkpoint.
 */
class KeyedBatchesThroughFailuresTest {

    @TempDir Path dir;

    /** Failures thrown (the job runs in this JVM). */
    static final AtomicInteger FAILURES = new AtomicInteger();

    /** Fails subtask 0 after {@code after} records in its first two attempts. */
    static final class FailTwice<T> extends RichMapFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private final int after;
        private int seen;

        FailTwice(int after) {
            this.after = after;
        }

        @Override
        public T map(T value) {
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                    && getRuntimeContext().getTaskInfo().getAttemptNumber() < 2
                    && ++seen > after) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("Injected failure (test)");
            }
            return value;
        }
    }

    @Test
    void everyOrderLandsOnceThroughTwoFailures() throws Exception {
        Path db = dir.resolve("shop.duckdb");
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(200);

        TypeInformation<Tuple2<String, List<Map<String, Object>>>> type =
                Types.TUPLE(
                        Types.STRING,
                        Types.LIST(Types.MAP(Types.STRING, Types.GENERIC(Object.class))));
        env.fromSource(
                        new DataGeneratorSource<>(
                                KeyedBatchesToDuckDB::batch,
                                KeyedBatchesToDuckDB.BATCHES,
                                RateLimiterStrategy.perSecond(400),
                                type),
                        WatermarkStrategy.noWatermarks(),
                        "order batches")
                .returns(type)
                .map(new FailTwice<>(60))
                .returns(type)
                .sinkTo(
                        DuckDBSink.forKeyedBatches("jdbc:duckdb:" + db, "orders")
                                .setCreateTableSql(
                                        "CREATE TABLE orders (order_id BIGINT, customer VARCHAR,"
                                                + " total DECIMAL(12, 2), placed_at TIMESTAMP WITH"
                                                + " TIME ZONE, batch_id VARCHAR)")
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .build());
        FAILURES.set(0);
        env.execute("keyed batches through failures");
        assertThat(FAILURES.get()).as("injected failures").isEqualTo(2);

        long expected = (long) KeyedBatchesToDuckDB.BATCHES * KeyedBatchesToDuckDB.ROWS_PER_BATCH;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), count(DISTINCT order_id),"
                                        + " count(DISTINCT batch_id) FROM orders")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(expected);
            assertThat(rs.getLong(2)).isEqualTo(expected);
            assertThat(rs.getLong(3)).isEqualTo(KeyedBatchesToDuckDB.BATCHES);
        }
    }
}
