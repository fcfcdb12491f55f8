package io.github.flinkduckdb.otter;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.source.ParallelSourceFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transform chained directly after a legacy {@code SourceFunction} (RabbitMQ's RMQSource is
 * one): messages arrive on the source's thread, the latency timer and checkpoint barriers flush on
 * the task thread. Every message still comes out exactly once.
 */
class LegacySourceITCase {

    private static final int MESSAGES = 3_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @SuppressWarnings("deprecation")
    static final class Messages implements ParallelSourceFunction<String> {
        private static final long serialVersionUID = 1L;
        private volatile boolean running = true;

        @Override
        public void run(SourceContext<String> ctx) throws Exception {
            for (int i = 0; i < MESSAGES && running; i++) {
                synchronized (ctx.getCheckpointLock()) {
                    ctx.collect("{\"id\": " + i + "}");
                }
                if (i % 100 == 0) {
                    Thread.sleep(15);
                }
            }
        }

        @Override
        public void cancel() {
            running = false;
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void runsChainedAfterALegacySource() throws Exception {
        OtterTransform otter =
                OtterTransform.builder()
                        .addModel("ids", "SELECT incoming.id FROM incoming")
                        .incomingSchema("id BIGINT")
                        .maxBatchSize(250)
                        .maxBatchDelay(Duration.ofMillis(20))
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(100);
        OtterStreams out =
                otter.applyToStrings(env.addSource(new Messages()).returns(Types.STRING));
        List<Long> ids = new ArrayList<>();
        try (CloseableIterator<Row> rows = out.rows("ids").executeAndCollect()) {
            rows.forEachRemaining(r -> ids.add((Long) r.getField(0)));
        }
        assertThat(ids).hasSize(MESSAGES).doesNotHaveDuplicates();
        assertThat(ids.stream().mapToLong(Long::longValue).max().getAsLong())
                .isEqualTo(MESSAGES - 1);
    }
}
