package io.github.flinkduckdb.otter;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.github.flinkduckdb.otter.SeedModelsITCase.drain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invariant through Flink: each model's stream and the dead-letter stream of a job equal,
 * element for element, the concatenation of every message's per-message execution.
 */
class EquivalenceITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @ParameterizedTest(name = "max batch size {0}")
    @ValueSource(ints = {1, 64})
    void jobOutputEqualsPerMessageExecution(int maxBatchSize) throws Exception {
        OtterTransform otter =
                GeneratedMessages.transform()
                        .maxBatchSize(maxBatchSize)
                        .maxBatchDelay(Duration.ofMillis(50))
                        .build();
        List<String> messages = new GeneratedMessages(7).take(200);

        List<List<Row>> expectedRows = new ArrayList<>();
        for (int m = 0; m < otter.models().size(); m++) {
            expectedRows.add(new ArrayList<>());
        }
        List<String> expectedDeadLetters = new ArrayList<>();
        try (PerMessageReference reference = new PerMessageReference(otter)) {
            for (String message : messages) {
                PerMessageReference.Outcome outcome = reference.run(message);
                for (int m = 0; m < otter.models().size(); m++) {
                    expectedRows.get(m).addAll(outcome.rows.get(m));
                }
                expectedDeadLetters.addAll(outcome.deadLetters);
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterStreams out = otter.applyToStrings(env.fromData(messages));
        List<CloseableIterator<Row>> rows = new ArrayList<>();
        for (String model : otter.modelNames()) {
            rows.add(out.rows(model).collectAsync());
        }
        CloseableIterator<OtterDeadLetter> deadLetters = out.deadLetters().collectAsync();
        env.execute("equivalence");

        for (int m = 0; m < otter.models().size(); m++) {
            assertThat(drain(rows.get(m)))
                    .as("rows of model %s", otter.modelNames().get(m))
                    .containsExactlyElementsOf(expectedRows.get(m));
        }
        List<String> actualDeadLetters = new ArrayList<>();
        for (OtterDeadLetter d : drain(deadLetters)) {
            actualDeadLetters.add(PerMessageReference.deadLetter(d));
        }
        assertThat(actualDeadLetters).containsExactlyElementsOf(expectedDeadLetters);
        assertThat(expectedDeadLetters).hasSizeGreaterThan(5);
    }

    /** 200 messages: a batch size that divides them, since a function cannot see the end. */
    @ParameterizedTest(name = "max batch size {0}")
    @ValueSource(ints = {1, 40})
    void processFunctionOutputEqualsPerMessageExecution(int maxBatchSize) throws Exception {
        OtterTransform otter =
                GeneratedMessages.transform()
                        .maxBatchSize(maxBatchSize)
                        .maxBatchDelay(Duration.ofMillis(50))
                        .build();
        List<String> messages = new GeneratedMessages(11).take(200);
        List<List<Row>> expectedRows = new ArrayList<>();
        for (int m = 0; m < otter.models().size(); m++) {
            expectedRows.add(new ArrayList<>());
        }
        List<String> expectedDeadLetters = new ArrayList<>();
        try (PerMessageReference reference = new PerMessageReference(otter)) {
            for (String message : messages) {
                PerMessageReference.Outcome outcome = reference.run(message);
                for (int m = 0; m < otter.models().size(); m++) {
                    expectedRows.get(m).addAll(outcome.rows.get(m));
                }
                expectedDeadLetters.addAll(outcome.deadLetters);
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SingleOutputStreamOperator<Row> main =
                env.fromData(messages).process(otter.processFunction(String.class));
        List<CloseableIterator<Row>> rows = new ArrayList<>();
        rows.add(main.collectAsync());
        for (String model : otter.modelNames().subList(1, otter.modelNames().size())) {
            rows.add(main.getSideOutput(otter.outputTag(model)).collectAsync());
        }
        CloseableIterator<OtterDeadLetter> deadLetters =
                main.getSideOutput(otter.deadLetterTag()).collectAsync();
        env.execute("equivalence, process function");

        for (int m = 0; m < otter.models().size(); m++) {
            assertThat(drain(rows.get(m)))
                    .as("rows of model %s", otter.modelNames().get(m))
                    .containsExactlyElementsOf(expectedRows.get(m));
        }
        List<String> actualDeadLetters = new ArrayList<>();
        for (OtterDeadLetter d : drain(deadLetters)) {
            actualDeadLetters.add(PerMessageReference.deadLetter(d));
        }
        assertThat(actualDeadLetters).containsExactlyElementsOf(expectedDeadLetters);
        assertThat(expectedDeadLetters).hasSizeGreaterThan(5);
    }
}
