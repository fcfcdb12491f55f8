package io.github.flinkduckdb.otter;

import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The process function's buffer: run when full or when the next message finds it overdue; kept in
 * operator state at a checkpoint and run after the restore with the numbering the operator gives;
 * the main output is the chosen model's rows, the rest go to side outputs.
 */
class OtterProcessFunctionTest {

    private static final String SCHEMA = "id BIGINT, tags VARCHAR[]";

    private static OtterTransform transform(int maxBatchSize, Duration delay) {
        return OtterTransform.builder()
                .incomingSchema(SCHEMA)
                .addModel("ids", "SELECT id FROM incoming")
                .addModel("tags", "SELECT id, unnest(tags) AS tag FROM incoming")
                .maxBatchSize(maxBatchSize)
                .maxBatchDelay(delay)
                .build();
    }

    private static OneInputStreamOperatorTestHarness<byte[], Row> harness(
            OtterProcessFunction<byte[]> function) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(function), BytePrimitiveArraySerializer.INSTANCE);
    }

    private static byte[] message(long id) {
        return ("{\"id\": " + id + ", \"tags\": [\"t" + id + "\", \"u" + id + "\"]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Object> mainField(OneInputStreamOperatorTestHarness<byte[], Row> h, int f) {
        List<Object> out = new ArrayList<>();
        for (Row r : h.extractOutputValues()) {
            out.add(r.getField(f));
        }
        return out;
    }

    private static <T> List<T> side(
            OneInputStreamOperatorTestHarness<byte[], Row> h, OutputTag<T> tag) {
        List<T> out = new ArrayList<>();
        Queue<StreamRecord<T>> records = h.getSideOutput(tag);
        if (records != null) {
            for (StreamRecord<T> r : records) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    @Test
    void runsTheBatchWhenItIsFull() throws Exception {
        OtterTransform t = transform(3, Duration.ZERO);
        try (OneInputStreamOperatorTestHarness<byte[], Row> h =
                harness(t.processFunction(byte[].class))) {
            h.open();
            h.processElement(message(1), 1L);
            h.processElement(message(2), 2L);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(message(3), 3L);
            assertThat(mainField(h, 0)).containsExactly(1L, 2L, 3L);
            assertThat(side(h, t.outputTag("tags"))).hasSize(6);
            assertThat(side(h, t.outputTag("ids")))
                    .as("the main model has no side output")
                    .isEmpty();
        }
    }

    @Test
    void runsTheBatchWhenTheNextMessageFindsItOverdue() throws Exception {
        OtterTransform t = transform(100, Duration.ofMillis(200));
        try (OneInputStreamOperatorTestHarness<byte[], Row> h =
                harness(t.processFunction(byte[].class))) {
            h.open();
            h.setProcessingTime(1_000);
            h.processElement(message(1), 10L);
            h.setProcessingTime(1_199);
            h.processElement(message(2), 11L);
            h.setProcessingTime(5_000);
            assertThat(h.extractOutputValues())
                    .as("no timer: nothing runs between messages")
                    .isEmpty();
            h.processElement(message(3), 12L);
            assertThat(mainField(h, 0)).containsExactly(1L, 2L, 3L);
            List<Long> timestamps = new ArrayList<>();
            for (Object o : h.getOutput()) {
                timestamps.add(((StreamRecord<?>) o).getTimestamp());
            }
            assertThat(timestamps)
                    .as("a batch's outputs carry the timestamp of the message that ran it")
                    .containsExactly(12L, 12L, 12L);
        }
    }

    @Test
    void keepsBufferedMessagesInStateAndRunsThemAfterARestore() throws Exception {
        OtterTransform t = transform(4, Duration.ofHours(1));
        OtterProcessFunction<byte[]> function = t.processFunction(byte[].class);
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<byte[], Row> h = harness(function)) {
            h.open();
            h.processElement(message(1), 1L);
            h.processElement(text("not json"), 2L);
            h.processElement(message(3), 3L);
            state = h.snapshot(1L, 100L);
            assertThat(h.extractOutputValues()).as("a checkpoint runs nothing").isEmpty();
            assertThat(side(h, t.deadLetterTag())).isEmpty();
            // The task fails here: the three buffered messages live on only in the checkpoint.
        }
        try (OneInputStreamOperatorTestHarness<byte[], Row> h = harness(function)) {
            h.initializeState(state);
            h.open();
            h.processElement(text("[]"), 4L);
            assertThat(mainField(h, 0)).containsExactly(1L, 3L);
            assertThat(side(h, t.outputTag("tags")))
                    .extracting(r -> r.getField("tag"))
                    .containsExactly("t1", "u1", "t3", "u3");
            List<OtterDeadLetter> deadLetters = side(h, t.deadLetterTag());
            assertThat(deadLetters)
                    .extracting(OtterDeadLetter::getMessageNumber)
                    .as("numbered as without the failure (as the operator numbers them)")
                    .containsExactly(1L, 3L);
            assertThat(deadLetters)
                    .extracting(OtterDeadLetter::payloadAsString)
                    .containsExactly("not json", "[]");
        }
    }

    @Test
    void theMainOutputIsTheChosenModel() throws Exception {
        OtterTransform t = transform(2, Duration.ZERO);
        OtterProcessFunction<String> function =
                t.processFunction(String.class).withMainModel("tags");
        assertThat(function.mainModel()).isEqualTo("tags");
        assertThat(function.getProducedType()).isEqualTo(t.rowType("tags"));
        try (OneInputStreamOperatorTestHarness<String, Row> h =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(function))) {
            h.open();
            h.processElement("{\"id\": 5, \"tags\": [\"a\", \"b\"]}", 1L);
            h.processElement("{\"id\": 6, \"tags\": []}", 2L);
            assertThat(h.extractOutputValues()).containsExactly(Row.of(5L, "a"), Row.of(5L, "b"));
            Queue<StreamRecord<Row>> ids = h.getSideOutput(t.outputTag("ids"));
            assertThat(ids).extracting(r -> r.getValue().getField(0)).containsExactly(5L, 6L);
        }
    }
}
