package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A legacy {@code SourceFunction} (RabbitMQ's RMQSource is one) chained to the sink: records arrive
 * on the source's own thread, checkpoints and flush timers on the task thread. Flink serializes the
 * two with the checkpoint lock; the sink must work from both threads.
 */
class LegacySourceITCase {

    private static final int ROWS = 20_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @TempDir Path dir;

    /** Emits ids slowly enough for several checkpoints and flush timers to interleave. */
    @SuppressWarnings("deprecation")
    static final class Ids
            implements org.apache.flink.streaming.api.functions.source.ParallelSourceFunction<
                    Map<String, Object>> {
        private static final long serialVersionUID = 1L;
        private volatile boolean running = true;

        @Override
        public void run(SourceContext<Map<String, Object>> ctx) throws Exception {
            for (long i = 0; i < ROWS && running; i++) {
                Map<String, Object> row = new HashMap<>();
                row.put("id", i);
                synchronized (ctx.getCheckpointLock()) {
                    ctx.collect(row);
                }
                if (i % 500 == 0) {
                    Thread.sleep(20);
                }
            }
        }

        @Override
        public void cancel() {
            running = false;
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = org.apache.flink.connector.base.DeliveryGuarantee.class,
            names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
    @SuppressWarnings("deprecation")
    void writesEveryRowFromALegacySourceChainedToTheSink(
            org.apache.flink.connector.base.DeliveryGuarantee guarantee) throws Exception {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("legacy.duckdb"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(100);
        env.addSource(new Ids())
                .returns(
                        org.apache.flink.api.common.typeinfo.Types.MAP(
                                org.apache.flink.api.common.typeinfo.Types.STRING,
                                org.apache.flink.api.common.typeinfo.Types.GENERIC(Object.class)))
                .sinkTo(
                        DuckDBSink.forMaps(db.url(), "ids")
                                .setCreateTableSql("CREATE TABLE ids (id BIGINT)")
                                .setDeliveryGuarantee(guarantee)
                                .setFlushInterval(Duration.ofMillis(50))
                                .setMaxBufferedRows(1_000)
                                .build());
        env.execute("legacy source into DuckDB");
        assertThat(db.count("SELECT count(*) FROM ids")).isEqualTo(ROWS);
        assertThat(db.count("SELECT count(DISTINCT id) FROM ids")).isEqualTo(ROWS);
    }
}
