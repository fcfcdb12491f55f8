package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.github.flinkduckdb.otter.SeedModelsITCase.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A transform without a declared incoming schema as a Flink operator: each model's stream carries
 * every row with its columns ({@link ShapedRow}), through Flink's network and the collect sink
 * (both serialize), and equals, element for element, what the engine gives for the same messages
 * (which {@link SchemaFreeEquivalenceTest} checks against each message run alone).
 */
class SchemaFreeITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Test
    void eachRowTravelsWithItsColumns() throws Exception {
        OtterTransform otter =
                SchemaFreeEquivalenceTest.builder()
                        .maxBatchSize(50)
                        .maxBatchDelay(Duration.ofMillis(50))
                        .build();
        List<String> messages = SchemaFreeEquivalenceTest.messages(new Random(11), 120);
        List<String> names = otter.modelNames();

        List<List<ShapedRow>> expected = new ArrayList<>();
        for (int m = 0; m < names.size(); m++) {
            expected.add(new ArrayList<>());
        }
        List<String> expectedDeadLetters = new ArrayList<>();
        try (OtterEngine engine = otter.openEngine()) {
            for (int i = 0; i < messages.size(); i++) {
                OtterResult r = engine.process(List.of(OtterMessage.of(messages.get(i))), i).get(0);
                for (int m = 0; m < names.size(); m++) {
                    for (Row row : r.rows(m)) {
                        expected.get(m).add(new ShapedRow(r.columns(m), row));
                    }
                }
                expectedDeadLetters.addAll(PerMessageReference.deadLetters(r));
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterStreams out = otter.applyToStrings(env.fromData(messages));
        List<CloseableIterator<ShapedRow>> rows = new ArrayList<>();
        for (String model : names) {
            // Through the network to a second task and back: serialized twice on the way.
            rows.add(
                    out.shapedRows(model)
                            .rebalance()
                            .map(r -> r)
                            .returns(ShapedRow.typeInfo())
                            .setParallelism(1)
                            .collectAsync());
        }
        CloseableIterator<OtterDeadLetter> deadLetters = out.deadLetters().collectAsync();
        env.execute("schema-free");

        Set<List<ColumnSchema>> shapes = new HashSet<>();
        int total = 0;
        for (int m = 0; m < names.size(); m++) {
            List<ShapedRow> actual = drain(rows.get(m));
            assertThat(actual).as("rows of model %s", names.get(m)).isEqualTo(expected.get(m));
            for (ShapedRow r : actual) {
                shapes.add(r.columns());
            }
            total += actual.size();
        }
        List<String> actualDeadLetters = new ArrayList<>();
        for (OtterDeadLetter d : drain(deadLetters)) {
            actualDeadLetters.add(PerMessageReference.deadLetter(d));
        }
        assertThat(actualDeadLetters).isEqualTo(expectedDeadLetters);
        assertThat(total).isGreaterThan(450);
        assertThat(shapes.size()).as("distinct column lists").isGreaterThan(5);
        assertThat(expectedDeadLetters.size()).isGreaterThan(10);

        assertThatThrownBy(() -> out.rows("orders"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shapedRows");
    }

    @Test
    void theSerializerKeepsColumnsAndValuesOfEveryType() throws Exception {
        OtterTransform otter =
                OtterTransform.builder()
                        .addModel(
                                "all",
                                "SELECT incoming.*, 1::TINYINT AS t, 2.5::DECIMAL(9,2) AS d,"
                                        + " DATE '2026-01-02' AS day, TIMESTAMP '2026-01-02"
                                        + " 03:04:05.123456' AS ts, TIMESTAMPTZ '2026-01-02"
                                        + " 03:04:05+00' AS tz, '\\x01\\xff'::BLOB AS bl, MAP {'k': [1,"
                                        + " 2]} AS m, [{'x': 1}] AS structs, NULL::INTEGER AS"
                                        + " nothing, 170141183460469231731687303715884105727::HUGEINT"
                                        + " AS huge FROM incoming")
                        .build();
        List<ShapedRow> rows = new ArrayList<>();
        try (OtterEngine engine = otter.openEngine()) {
            for (OtterResult r :
                    engine.process(
                            List.of(
                                    OtterMessage.of(
                                            "{\"a\": 1, \"b\": {\"c\": [1.5, 2]}, \"s\": \"x\"}"),
                                    OtterMessage.of("{\"z\": null, \"a\": \"one\"}")),
                            0)) {
                assertThat(r.deadLetters()).isEmpty();
                rows.add(new ShapedRow(r.columns(0), r.rows(0).get(0)));
            }
        }
        TypeSerializer<ShapedRow> serializer =
                ShapedRow.typeInfo().createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (ShapedRow r : rows) {
            serializer.serialize(r, out);
        }
        // Another instance reads them (as on another TaskManager).
        TypeSerializer<ShapedRow> reader = serializer.duplicate();
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (ShapedRow r : rows) {
            ShapedRow back = reader.deserialize(in);
            assertThat(back.columns()).isEqualTo(r.columns());
            assertThat(back).isEqualTo(r);
            assertThat(serializer.copy(r)).isEqualTo(r);
        }
        assertThat(rows.get(0).columns()).isNotEqualTo(rows.get(1).columns());
        assertThat(serializer.snapshotConfiguration().restoreSerializer()).isEqualTo(serializer);
    }
}
