package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageReader;
import io.github.flinkduckdb.otter.internal.OtterTransformOperator;

import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's buffer: flushed on the latency timer, on batch size, before each checkpoint
 * barrier, before each watermark and at end of input; outputs keep their message's timestamp and
 * message numbers continue after a restore.
 */
class OtterTransformOperatorTest {

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

    private static OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> harness(
            OtterTransform transform) throws Exception {
        OtterTransformOperator<byte[]> operator = transform.createOperator(MessageReader.bytes());
        return new OneInputStreamOperatorTestHarness<>(
                operator, BytePrimitiveArraySerializer.INSTANCE);
    }

    private static byte[] message(long id) {
        return ("{\"id\": " + id + ", \"tags\": [\"t" + id + "\"]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static List<Object> ids(
            OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> h, OtterTransform t) {
        List<Object> out = new ArrayList<>();
        if (h.getSideOutput(t.outputTag("ids")) == null) {
            // nothing emitted to this tag yet
            return out;
        }
        for (StreamRecord<Row> r : h.getSideOutput(t.outputTag("ids"))) {
            out.add(r.getValue().getField(0));
        }
        return out;
    }

    @Test
    void flushesWhenTheLatencyTimerFires() throws Exception {
        OtterTransform t = transform(100, Duration.ofMillis(200));
        try (OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> h = harness(t)) {
            h.open();
            h.setProcessingTime(1_000);
            h.processElement(message(1), 10L);
            h.processElement(message(2), 11L);
            h.setProcessingTime(1_199);
            assertThat(ids(h, t)).isEmpty();
            h.setProcessingTime(1_200);
            assertThat(ids(h, t)).containsExactly(1L, 2L);
            h.processElement(message(3), 12L);
            h.setProcessingTime(1_399);
            assertThat(ids(h, t)).containsExactly(1L, 2L);
            h.setProcessingTime(1_400);
            assertThat(ids(h, t)).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void flushesWhenTheBatchIsFull() throws Exception {
        OtterTransform t = transform(2, Duration.ZERO);
        try (OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> h = harness(t)) {
            h.open();
            h.processElement(message(1), 1L);
            assertThat(ids(h, t)).isEmpty();
            h.processElement(message(2), 2L);
            assertThat(ids(h, t)).containsExactly(1L, 2L);
        }
    }

    @Test
    void flushesBeforeTheCheckpointBarrierAndRestoresMessageNumbers() throws Exception {
        OtterTransform t = transform(100, Duration.ofHours(1));
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> h = harness(t)) {
            h.open();
            h.processElement(message(1), 1L);
            h.processElement("not json".getBytes(StandardCharsets.UTF_8), 2L);
            h.processElement(message(3), 3L);
            assertThat(ids(h, t)).isEmpty();
            h.prepareSnapshotPreBarrier(1L);
            assertThat(ids(h, t)).containsExactly(1L, 3L);
            state = h.snapshot(1L, 100L);
            List<OtterDeadLetter> deadLetters = h.extractOutputValues();
            assertThat(deadLetters).hasSize(1);
            assertThat(deadLetters.get(0).getMessageNumber()).isEqualTo(1L);
        }
        try (OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> h = harness(t)) {
            h.initializeState(state);
            h.open();
            h.processElement("[]".getBytes(StandardCharsets.UTF_8), 4L);
            h.prepareSnapshotPreBarrier(2L);
            List<OtterDeadLetter> deadLetters = h.extractOutputValues();
            assertThat(deadLetters).hasSize(1);
            assertThat(deadLetters.get(0).getMessageNumber())
                    .as("numbering continues after the three messages before the checkpoint")
                    .isEqualTo(3L);
        }
    }

    @Test
    void flushesAtEndOfInput() throws Exception {
        OtterTransform t = transform(100, Duration.ofHours(1));
        OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> h = harness(t);
        h.open();
        h.processElement(message(7), 1L);
        assertThat(ids(h, t)).isEmpty();
        h.endInput();
        h.getOneInputOperator().finish();
        assertThat(ids(h, t)).containsExactly(7L);
        h.close();
    }

    @Test
    void flushesBeforeAWatermarkAndKeepsTimestamps() throws Exception {
        OtterTransform t = transform(100, Duration.ofHours(1));
        try (OneInputStreamOperatorTestHarness<byte[], OtterDeadLetter> h = harness(t)) {
            h.open();
            h.processElement(message(1), 100L);
            h.processElement(message(2), 200L);
            h.processWatermark(new Watermark(150L));
            List<Long> timestamps = new ArrayList<>();
            for (StreamRecord<Row> r : h.getSideOutput(t.outputTag("tags"))) {
                timestamps.add(r.getTimestamp());
                assertThat(r.getValue().getField("tag")).isIn("t1", "t2");
            }
            assertThat(timestamps).containsExactly(100L, 200L);
            // Rows went out before the watermark: the main output holds only the watermark.
            assertThat(h.getOutput()).containsExactly(new Watermark(150L));
        }
    }

    @Test
    void isChainedToItsInputAndItsOutputs() {
        OtterTransform t = transform(100, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        OtterStreams out = t.apply(env.fromSequence(0, 9).map(OtterTransformOperatorTest::message));
        out.rows("ids").sinkTo(new DiscardingSink<>());
        out.deadLetters().sinkTo(new DiscardingSink<>());
        // Source, map, the transform and both sinks: one task, no network between them.
        assertThat(env.getStreamGraph().getJobGraph().getNumberOfVertices()).isEqualTo(1);
    }
}
