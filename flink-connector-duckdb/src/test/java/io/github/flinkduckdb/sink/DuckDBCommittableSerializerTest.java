package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Committables live in checkpoints and savepoints: their bytes must stay readable. */
class DuckDBCommittableSerializerTest {

    private final DuckDBCommittableSerializer serializer = new DuckDBCommittableSerializer();

    private static DuckDBCommittable sample() {
        return new DuckDBCommittable(
                "0f8fad5b-d9cb-469f-a165-70867728950e",
                "job-1",
                3,
                1,
                7,
                2,
                DuckDBCommittable.PayloadFormat.DUCKDB,
                Arrays.asList(
                        new ColumnSchema("id", DuckDBType.of(DuckDBType.Id.BIGINT), false, null),
                        ColumnSchema.of(
                                "tags",
                                DuckDBType.parse(
                                        "STRUCT(\"a b\" VARCHAR[], c MAP(VARCHAR, DECIMAL(9,2)))"))),
                true,
                new byte[] {1, 2, 3});
    }

    /** Version 1 bytes of {@link #sample()}, as written by the first release of this format. */
    private static final String V1 = "00000024306638666164356200000000";

    @Test
    void roundTrips() throws IOException {
        DuckDBCommittable c = sample();
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(c)))
                .isEqualTo(c);
    }

    @Test
    void roundTripsWithoutJobId() throws IOException {
        DuckDBCommittable c =
                new DuckDBCommittable(
                        "id",
                        null,
                        0,
                        0,
                        0,
                        0,
                        DuckDBCommittable.PayloadFormat.PARQUET,
                        Arrays.asList(ColumnSchema.of("x", DuckDBType.of(DuckDBType.Id.VARCHAR))),
                        false,
                        new byte[0]);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(c)))
                .isEqualTo(c);
    }

    @Test
    void readsVersionOneBytes() throws IOException {
        assertThat(serializer.deserialize(1, HexFormat.of().parseHex(V1_FULL))).isEqualTo(sample());
    }

    @Test
    void versionTwoAddsTheUpsertKeyAfterTheBatchIdFlag() throws IOException {
        // Version 2 (upsert keys): the version 1 layout with the key count (0 for appends)
        // before the payload length.
        String hex = HexFormat.of().formatHex(serializer.serialize(sample()));
        String payload = "00000003" + "010203"; // length 3, bytes 1 2 3
        assertThat(V1_FULL).endsWith(payload);
        String beforePayload = V1_FULL.substring(0, V1_FULL.length() - payload.length());
        assertThat(serializer.getVersion()).isEqualTo(2);
        assertThat(hex).isEqualTo(beforePayload + "00000000" + payload);
    }

    @Test
    void rejectsAnUnknownVersion() {
        assertThatThrownBy(() -> serializer.deserialize(3, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown DuckDBCommittable serializer version 3");
    }

    @Test
    void rejectsTruncatedBytes() throws IOException {
        byte[] written = serializer.serialize(sample());
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        serializer.getVersion(),
                                        Arrays.copyOf(written, written.length - 2)))
                .isInstanceOf(IOException.class);
    }

    /** Version 1 bytes of {@link #sample()}, as the first release of this format wrote them. */
    private static final String V1_FULL =
            "0000002430663866616435622d643963622d343639662d613136352d373038363737323839353065"
                    + "01000000056a6f622d31000000030000000100000000000000070000000000000002010000000200"
                    + "000002696400000006424947494e5400000000047461677300000037535452554354282261206222"
                    + "20564152434841525b5d2c20226322204d415028564152434841522c20444543494d414c28392c32"
                    + "292929010100000003010203";
}
