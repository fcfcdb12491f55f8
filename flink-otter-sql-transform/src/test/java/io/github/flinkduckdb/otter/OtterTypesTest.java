package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.RowToMap;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.ModelDirectory;
import io.github.flinkduckdb.otter.model.OtterModel;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The public types travel through Flink with Flink's own serializers, nested values included. */
class OtterTypesTest {

    @Test
    void messagesAndDeadLettersAreFlinkPojos() throws Exception {
        assertThat(TypeInformation.of(OtterMessage.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(OtterDeadLetter.class)).isInstanceOf(PojoTypeInfo.class);
        OtterMessage message =
                OtterMessage.of("{\"a\": 1}".getBytes(StandardCharsets.UTF_8), "orders.raw", 3, 42L)
                        .withMessageId("id-1");
        OtterDeadLetter d =
                OtterDeadLetter.of(message, 9L, 1, OtterStage.TRANSFORM, "orders", "boom");
        assertThat(roundTrip(TypeInformation.of(OtterDeadLetter.class), d)).isEqualTo(d);
        assertThat(roundTrip(TypeInformation.of(OtterMessage.class), message)).isEqualTo(message);
        assertThat(d.describe())
                .isEqualTo(
                        "stage transform, model 'orders', message 9 of subtask 1 (orders.raw/3@42 id"
                                + " id-1): boom");
        assertThat(d.toString()).doesNotContain("\"a\"");
    }

    @Test
    void nestedRowsWithNullsSurviveFlinksRowSerializer() throws Exception {
        OtterTransform otter =
                OtterTransform.builder()
                        .incomingSchema(
                                "id BIGINT, tags VARCHAR[], attrs MAP(VARCHAR, BIGINT),"
                                        + " items STRUCT(sku VARCHAR, qty INTEGER, at TIMESTAMP)[],"
                                        + " n HUGEINT, blob_text BLOB")
                        .addModel("all", "SELECT * FROM incoming")
                        .build();
        RowTypeInfo type = otter.rowType("all");
        assertThat(type.getTypeAt(1)).isEqualTo(Types.OBJECT_ARRAY(Types.STRING));
        assertThat(type.getTypeAt(2)).isEqualTo(Types.MAP(Types.STRING, Types.LONG));
        assertThat(type.getTypeAt(4)).isEqualTo(Types.BIG_DEC);
        assertThat(type.getTypeAt(5)).isEqualTo(Types.PRIMITIVE_ARRAY(Types.BYTE));
        OtterResult r =
                StrictTypingTest.run(
                                otter,
                                "{\"id\": 1, \"tags\": [\"a\", null], \"attrs\": {\"k\": 1, \"z\":"
                                        + " null}, \"items\": [{\"sku\": \"s\", \"at\":"
                                        + " \"2026-01-01 10:00:00\"}, null], \"n\":"
                                        + " 170141183460469231731687303715884105727,"
                                        + " \"blob_text\": \"abc\"}")
                        .get(0);
        assertThat(r.deadLetters()).isEmpty();
        Row row = r.rows(0).get(0);
        assertThat(roundTrip(type, row)).isEqualTo(row);
        Map<String, Object> map = new RowToMap(type.getFieldNames()).map(row);
        assertThat(map.get("tags")).isEqualTo(Arrays.asList("a", null));
        assertThat(map.get("n").toString()).isEqualTo("170141183460469231731687303715884105727");
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) map.get("items");
        assertThat(items.get(0)).isInstanceOf(Map.class);
        assertThat(items.get(1)).isNull();
    }

    @Test
    void incomingSchemaReadsAStructOrAColumnList() {
        assertThat(IncomingSchema.parse("STRUCT(a BIGINT, \"user\" STRUCT(id INT))"))
                .isEqualTo(IncomingSchema.parse("a BIGINT, \"user\" STRUCT(id INTEGER)"));
        assertThat(IncomingSchema.parse("a INT, b VARCHAR[]").columnDefinitions())
                .isEqualTo("\"a\" INTEGER, \"b\" VARCHAR[]");
        assertThat(IncomingSchema.parse("a INT, b VARCHAR[]").jsonStructure())
                .isEqualTo("{\"a\":\"INTEGER\",\"b\":\"VARCHAR[]\"}");
        assertThatThrownBy(() -> IncomingSchema.parse("a INT, A VARCHAR"))
                .hasMessage(
                        "The incoming schema has the column 'A' twice (DuckDB column names ignore case)");
        assertThatThrownBy(() -> IncomingSchema.parse("m MAP(INTEGER, VARCHAR)"))
                .hasMessageContaining("JSON object keys are strings");
        assertThatThrownBy(() -> IncomingSchema.parse("u UNION(a INT, b VARCHAR)"))
                .hasMessageContaining("which JSON messages cannot carry");
        assertThatThrownBy(() -> IncomingSchema.inferFromSamples(Arrays.asList("[1]")))
                .hasMessage("Sample message 1 is not a JSON object");
    }

    @Test
    void modelsComeFromTheSqlFilesOfAFolderInNameOrder(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("b.sql"), "SELECT 2".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("a.sql"), "SELECT 1".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("notes.txt"), "x".getBytes(StandardCharsets.UTF_8));
        Files.createDirectory(dir.resolve("sub.sql"));
        List<OtterModel> models = ModelDirectory.load(dir);
        assertThat(models).extracting(OtterModel::name).containsExactly("a", "b");
        assertThat(models.get(0).origin()).contains(dir.resolve("a.sql").toString());
        assertThatThrownBy(() -> ModelDirectory.load(dir.resolve("missing")))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> OtterModel.of("bad name", "SELECT 1"))
                .hasMessageContaining("is not valid");
    }

    private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
        TypeSerializer<T> serializer =
                type.createSerializer(new ExecutionConfig().getSerializerConfig());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        T copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(serializer.copy(value)).isEqualTo(value);
        return copy;
    }
}
