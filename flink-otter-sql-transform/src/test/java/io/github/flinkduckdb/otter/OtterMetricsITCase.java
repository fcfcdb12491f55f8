package io.github.flinkduckdb.otter;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every outcome is counted in Flink metrics: messages in, rows out per model, dead letters. */
class OtterMetricsITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @Test
    void countsMessagesRowsPerModelAndDeadLettersPerStage() throws Exception {
        List<OtterMessage> messages = new ArrayList<>();
        for (int i = 0; i < DeadLetterITCase.BODIES.length; i++) {
            messages.add(DeadLetterITCase.message(i));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterTransform otter = DeadLetterITCase.transform(true);
        OtterStreams out =
                otter.applyToMessages(
                        env.fromData(messages, TypeInformation.of(OtterMessage.class)));
        for (String model : otter.modelNames()) {
            out.rows(model).sinkTo(new DiscardingSink<>()).name("discard " + model);
        }
        out.deadLetters().sinkTo(new DiscardingSink<>()).name("discard dead letters");
        JobExecutionResult result = env.execute("metrics");

        Map<String, Metric> metrics = REPORTER.getMetricsByIdentifiers(result.getJobID());
        assertThat(count(metrics, "otter.messagesIn")).isEqualTo(7);
        assertThat(count(metrics, "otter.deadLetters")).isEqualTo(5);
        assertThat(count(metrics, "otter.deadLettersParse")).isEqualTo(2);
        assertThat(count(metrics, "otter.deadLettersTransform")).isEqualTo(1);
        assertThat(count(metrics, "otter.deadLettersConvert")).isEqualTo(2);
        assertThat(count(metrics, "otter.batches")).isEqualTo(1);
        assertThat(count(metrics, "otter.model.orders.rowsOut")).isEqualTo(5);
        assertThat(count(metrics, "otter.model.purchases.rowsOut")).isEqualTo(5);
        assertThat(count(metrics, "otter.model.sku_numbers.rowsOut")).isEqualTo(3);
        assertThat(count(metrics, "otter.model.sku_numbers.deadLetters")).isEqualTo(1);
        assertThat(count(metrics, "otter.model.order_totals.rowsOut")).isEqualTo(3);
        assertThat(count(metrics, "otter.model.order_totals.deadLetters")).isEqualTo(2);
        assertThat(count(metrics, "otter.model.orders.deadLetters")).isZero();
        // Four row-local models over one batch of five parsed messages; sku_numbers fails for the
        // second one, so its query is split in halves until that message runs alone.
        assertThat(count(metrics, "otter.batchedModelRuns")).isEqualTo(3 + 7);
        assertThat(count(metrics, "otter.batchSplits")).isEqualTo(3);
        assertThat(count(metrics, "otter.perMessageModelRuns")).isEqualTo(1);
    }

    private static long count(Map<String, Metric> metrics, String suffix) {
        List<Metric> found = new ArrayList<>();
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            if (e.getKey().endsWith("." + suffix)) {
                found.add(e.getValue());
            }
        }
        assertThat(found).as(suffix).hasSize(1);
        return ((Counter) found.get(0)).getCount();
    }
}
