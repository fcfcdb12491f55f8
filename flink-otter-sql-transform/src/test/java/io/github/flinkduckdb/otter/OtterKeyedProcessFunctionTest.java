package io.github.flinkduckdb.otter;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keyed process function's timers: a batch spanning keys runs when its latency timer fires
 * (also on an idle stream) and when the input ends (the final watermark), also after a restore.
 */
class OtterKeyedProcessFunctionTest {

    private static OtterTransform transform(int maxBatchSize, Duration delay) {
        return OtterTransform.builder()
                .incomingSchema("id BIGINT, k VARCHAR")
                .addModel("ids", "SELECT id, k FROM incoming")
                .maxBatchSize(maxBatchSize)
                .maxBatchDelay(delay)
                .build();
    }

    /** The message itself is the key: every message here has its own. */
    private static final KeySelector<String, String> KEY = s -> s;

    private static KeyedOneInputStreamOperatorTestHarness<String, String, Row> harness(
            OtterTransform t) throws Exception {
        OtterKeyedProcessFunction<String, String> function = t.keyedProcessFunction(String.class);
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(function), KEY, Types.STRING);
    }

    private static String message(long id) {
        return "{\"id\": " + id + ", \"k\": \"k" + id + "\"}";
    }

    private static List<Object> ids(KeyedOneInputStreamOperatorTestHarness<String, String, Row> h) {
        List<Object> out = new ArrayList<>();
        for (Row r : h.extractOutputValues()) {
            out.add(r.getField(0));
        }
        return out;
    }

    @Test
    void theLatencyTimerRunsTheWholeBatchAcrossKeys() throws Exception {
        OtterTransform t = transform(100, Duration.ofMillis(200));
        try (KeyedOneInputStreamOperatorTestHarness<String, String, Row> h = harness(t)) {
            h.open();
            h.setProcessingTime(1_000);
            h.processElement(message(1), 10L);
            h.setProcessingTime(1_100);
            h.processElement(message(2), 11L);
            h.setProcessingTime(1_199);
            assertThat(ids(h)).isEmpty();
            h.setProcessingTime(1_200);
            assertThat(ids(h)).containsExactly(1L, 2L);
            // The next batch starts at 1,250: its timer, not the spent one, runs it.
            h.setProcessingTime(1_250);
            h.processElement(message(3), 12L);
            h.setProcessingTime(1_449);
            assertThat(ids(h)).containsExactly(1L, 2L);
            h.setProcessingTime(1_450);
            assertThat(ids(h)).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void theEndOfInputRunsTheBufferAlsoAfterARestore() throws Exception {
        OtterTransform t = transform(100, Duration.ZERO);
        OperatorSubtaskState state;
        try (KeyedOneInputStreamOperatorTestHarness<String, String, Row> h = harness(t)) {
            h.open();
            h.processElement(message(1), 1L);
            h.processElement(message(2), 2L);
            state = h.snapshot(1L, 10L);
            assertThat(ids(h)).isEmpty();
        }
        try (KeyedOneInputStreamOperatorTestHarness<String, String, Row> h = harness(t)) {
            h.initializeState(state);
            h.open();
            h.processElement(message(3), 3L);
            assertThat(ids(h)).isEmpty();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(ids(h)).containsExactly(1L, 2L, 3L);
        }
    }
}
