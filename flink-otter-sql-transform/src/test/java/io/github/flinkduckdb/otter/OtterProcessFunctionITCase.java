package io.github.flinkduckdb.otter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.flinkduckdb.otter.SeedModelsITCase.drain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transform as {@code stream.process(otter.processFunction(...))}: one model's rows on the main
 * output, the others' on their side outputs, dead letters on theirs; exactly the rows and dead
 * letters of {@link DeadLetterITCase}, which runs the same messages through {@code apply}.
 */
class OtterProcessFunctionITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static List<OtterMessage> messages() {
        List<OtterMessage> messages = new ArrayList<>();
        for (int i = 0; i < DeadLetterITCase.BODIES.length; i++) {
            messages.add(DeadLetterITCase.message(i));
        }
        return messages;
    }

    @Test
    void oneModelOnTheMainOutputAndDeadLettersOnTheSideOutput() throws Exception {
        OtterTransform otter =
                OtterTransform.builder()
                        .incomingSchema(OtterFixtures.ordersSchema())
                        .addModel("order_ids", "SELECT incoming.order_id FROM incoming")
                        .maxBatchSize(DeadLetterITCase.BODIES.length)
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SingleOutputStreamOperator<Row> ids =
                env.fromData(messages(), TypeInformation.of(OtterMessage.class))
                        .process(otter.processFunction(OtterMessage.class))
                        .name("otter");
        assertThat(ids.getType()).isEqualTo(otter.rowType("order_ids"));
        CloseableIterator<Row> rows = ids.collectAsync();
        CloseableIterator<OtterDeadLetter> deadLetters =
                ids.getSideOutput(otter.deadLetterTag()).collectAsync();
        env.execute("process function, one model");

        assertThat(drain(rows))
                .containsExactly(
                        Row.of(2001L), Row.of(2003L), Row.of(2005L), Row.of(2006L), Row.of(2007L));
        List<OtterDeadLetter> expected = new ArrayList<>();
        for (OtterDeadLetter d : DeadLetterITCase.expectedDeadLetters()) {
            if (d.getStage() == OtterStage.PARSE) {
                expected.add(d);
            }
        }
        assertThat(expected).hasSize(2);
        assertThat(drain(deadLetters)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "main output {0}")
    @ValueSource(strings = {"orders", "sku_numbers"})
    void fourModelsGiveTheRowsAndDeadLettersOfApply(String mainModel) throws Exception {
        OtterTransform otter =
                DeadLetterITCase.transformBuilder(true)
                        .maxBatchSize(DeadLetterITCase.BODIES.length)
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterProcessFunction<OtterMessage> function =
                otter.processFunction(OtterMessage.class).withMainModel(mainModel);
        SingleOutputStreamOperator<Row> main =
                env.fromData(messages(), TypeInformation.of(OtterMessage.class)).process(function);
        Map<String, CloseableIterator<Row>> rows = new LinkedHashMap<>();
        for (String model : otter.modelNames()) {
            rows.put(
                    model,
                    model.equals(mainModel)
                            ? main.collectAsync()
                            : main.getSideOutput(otter.outputTag(model)).collectAsync());
        }
        CloseableIterator<OtterDeadLetter> deadLetters =
                main.getSideOutput(otter.deadLetterTag()).collectAsync();
        env.execute("process function, four models");

        assertThat(drain(deadLetters))
                .containsExactlyElementsOf(DeadLetterITCase.expectedDeadLetters());
        DeadLetterITCase.assertRowsOfTheGoodMessages(
                drain(rows.get("orders")),
                drain(rows.get("purchases")),
                drain(rows.get("sku_numbers")),
                drain(rows.get("order_totals")));
    }
}
