package io.github.flinkduckdb.otter;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** The operator ({@code apply}) and the process function count the same. */
    @ParameterizedTest(name = "process function {0}")
    @ValueSource(booleans = {false, true})
    void countsMessagesRowsPerModelAndDeadLettersPerStage(boolean processFunction)
            throws Exception {
        List<OtterMessage> messages = new ArrayList<>();
        for (int i = 0; i < DeadLetterITCase.BODIES.length; i++) {
            messages.add(DeadLetterITCase.message(i));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // One batch of the seven messages either way.
        OtterTransform otter =
                DeadLetterITCase.transformBuilder(true).maxBatchSize(messages.size()).build();
        DataStream<OtterMessage> input =
                env.fromData(messages, TypeInformation.of(OtterMessage.class));
        if (processFunction) {
            SingleOutputStreamOperator<Row> main =
                    input.process(otter.processFunction(OtterMessage.class));
            main.sinkTo(new DiscardingSink<>()).name("discard orders");
            for (String model : otter.modelNames().subList(1, otter.modelNames().size())) {
                main.getSideOutput(otter.outputTag(model))
                        .sinkTo(new DiscardingSink<>())
                        .name("discard " + model);
            }
            main.getSideOutput(otter.deadLetterTag())
                    .sinkTo(new DiscardingSink<>())
                    .name("discard dead letters");
        } else {
            OtterStreams out = otter.applyToMessages(input);
            for (String model : otter.modelNames()) {
                out.rows(model).sinkTo(new DiscardingSink<>()).name("discard " + model);
            }
            out.deadLetters().sinkTo(new DiscardingSink<>()).name("discard dead letters");
        }
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
