package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every DuckDB type the sink writes, from the Java values users have, through both write paths:
 * direct writes and the committer path (which carries the rows through a Parquet or DuckDB
 * payload). The stored value is compared with a DuckDB literal by DuckDB itself.
 */
class TypeRoundTripTest {

    @TempDir Path dir;

    static Stream<Arguments> cases() {
        Map<String, Object> struct = new LinkedHashMap<>();
        struct.put("A", 1);
        struct.put("b", Arrays.asList("x", "y"));
        Row structRow = Row.withNames();
        structRow.setField("a", 2);
        structRow.setField("b", Collections.singletonList("z"));
        Map<String, Object> mapValue = new LinkedHashMap<>();
        mapValue.put("k1", 1);
        mapValue.put("k2", null);
        Map<String, Object> jsonValue = new LinkedHashMap<>();
        jsonValue.put("n", 1);
        jsonValue.put("s", "t\"q");
        Map<String, Object> unsignedStruct = new LinkedHashMap<>();
        unsignedStruct.put("u", 200);
        unsignedStruct.put("i", Duration.ofSeconds(90));
        return Stream.of(
                Arguments.of("BOOLEAN", true, "true"),
                Arguments.of("TINYINT", 127, "127"),
                Arguments.of("SMALLINT", (short) -32768, "-32768"),
                Arguments.of("INTEGER", 42L, "42"),
                Arguments.of("BIGINT", Long.MAX_VALUE, "9223372036854775807"),
                Arguments.of("BIGINT", 3.0d, "3"),
                Arguments.of(
                        "HUGEINT",
                        BigInteger.ONE.shiftLeft(100),
                        "1267650600228229401496703205376"),
                Arguments.of("UTINYINT", 255, "255"),
                Arguments.of("USMALLINT", 65535, "65535"),
                Arguments.of("UINTEGER", 4294967295L, "4294967295"),
                Arguments.of(
                        "UBIGINT", new BigInteger("18446744073709551615"), "18446744073709551615"),
                Arguments.of(
                        "UHUGEINT",
                        BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE),
                        "340282366920938463463374607431768211455"),
                Arguments.of("FLOAT", 1.5f, "1.5"),
                Arguments.of("DOUBLE", 2.25d, "2.25"),
                Arguments.of("DOUBLE", 7, "7"),
                Arguments.of("DECIMAL(12,2)", new BigDecimal("12.30"), "12.30"),
                Arguments.of("DECIMAL(12,2)", 0.1 + 0.2, "0.30"),
                Arguments.of(
                        "DECIMAL(38,10)",
                        new BigDecimal("1234567890123456789012345678.1234567891"),
                        "1234567890123456789012345678.1234567891"),
                Arguments.of("VARCHAR", "héllo 🦆", "'héllo 🦆'"),
                Arguments.of("BLOB", new byte[] {1, 2, (byte) 255}, "'\\x01\\x02\\xFF'::BLOB"),
                Arguments.of(
                        "UUID",
                        UUID.fromString("f47ac10b-58cc-4372-a567-0e02b2c3d479"),
                        "'f47ac10b-58cc-4372-a567-0e02b2c3d479'"),
                Arguments.of(
                        "UUID",
                        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
                        "'f47ac10b-58cc-4372-a567-0e02b2c3d479'"),
                Arguments.of("DATE", LocalDate.of(2024, 2, 29), "'2024-02-29'"),
                Arguments.of("TIME", LocalTime.of(23, 59, 59, 123456000), "'23:59:59.123456'"),
                Arguments.of("TIME_NS", LocalTime.of(12, 0, 0, 123456789), "'12:00:00.123456789'"),
                Arguments.of(
                        "TIMETZ",
                        OffsetTime.of(12, 34, 56, 0, ZoneOffset.ofHoursMinutes(5, 30)),
                        "'12:34:56+05:30'"),
                Arguments.of(
                        "TIMESTAMP",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 678901000),
                        "'2024-01-02 03:04:05.678901'"),
                Arguments.of(
                        "TIMESTAMP",
                        Instant.parse("2024-01-02T03:04:05Z"),
                        "'2024-01-02 03:04:05'"),
                Arguments.of(
                        "TIMESTAMP_NS",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123456789),
                        "'2024-01-02 03:04:05.123456789'"),
                Arguments.of(
                        "TIMESTAMP_MS",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5, 678000000),
                        "'2024-01-02 03:04:05.678'"),
                Arguments.of(
                        "TIMESTAMP_S",
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5),
                        "'2024-01-02 03:04:05'"),
                Arguments.of(
                        "TIMESTAMPTZ",
                        Instant.parse("2024-01-02T03:04:05.123456Z"),
                        "'2024-01-02 03:04:05.123456+00'"),
                Arguments.of(
                        "TIMESTAMPTZ",
                        OffsetDateTime.parse("2024-01-02T05:04:05+02:00"),
                        "'2024-01-02 03:04:05+00'"),
                Arguments.of(
                        "INTERVAL",
                        Duration.ofHours(26).plusNanos(5000),
                        "INTERVAL '26 hours 5 microseconds'"),
                Arguments.of("INTERVAL", Period.of(1, 2, 3), "INTERVAL '1 year 2 months 3 days'"),
                Arguments.of("ENUM('a', 'b')", "b", "'b'"),
                Arguments.of("JSON", jsonValue, "'{\"n\":1,\"s\":\"t\\\"q\"}'"),
                Arguments.of("BIT", "0101", "'0101'::BIT"),
                Arguments.of(
                        "VARINT",
                        new BigInteger("123456789012345678901234567890123456789012"),
                        "'123456789012345678901234567890123456789012'::VARINT"),
                Arguments.of("INTEGER[]", Arrays.asList(1, 2, null), "[1, 2, NULL]"),
                Arguments.of("INTEGER[]", new int[] {4, 5}, "[4, 5]"),
                Arguments.of(
                        "VARCHAR[][]",
                        Arrays.asList(Arrays.asList("a"), Collections.emptyList()),
                        "[['a'], []]"),
                Arguments.of("INTEGER[3]", Arrays.asList(1, 2, 3), "[1, 2, 3]"),
                Arguments.of("MAP(VARCHAR, INTEGER)", mapValue, "MAP {'k1': 1, 'k2': NULL}"),
                Arguments.of("STRUCT(a INTEGER, b VARCHAR[])", struct, "{'a': 1, 'b': ['x', 'y']}"),
                Arguments.of("STRUCT(a INTEGER, b VARCHAR[])", structRow, "{'a': 2, 'b': ['z']}"),
                Arguments.of(
                        "STRUCT(a INTEGER, b VARCHAR[])",
                        Arrays.asList(3, null),
                        "{'a': 3, 'b': NULL}"),
                Arguments.of(
                        "STRUCT(x DOUBLE, t TIMESTAMP)[]",
                        Arrays.asList(
                                Collections.singletonMap("x", 1.5),
                                Collections.singletonMap(
                                        "t", LocalDateTime.of(2024, 5, 6, 7, 8, 9))),
                        "[{'x': 1.5, 't': NULL}, {'x': NULL, 't': '2024-05-06 07:08:09'}]"),
                Arguments.of(
                        "STRUCT(u UTINYINT, i INTERVAL)",
                        unsignedStruct,
                        "{'u': 200, 'i': INTERVAL '90 seconds'}"),
                Arguments.of(
                        "HUGEINT[]",
                        Arrays.asList(BigInteger.TEN, BigInteger.ONE.shiftLeft(70)),
                        "[10, 1180591620717411303424]"));
    }

    static Stream<Arguments> casesForBothPaths() {
        return cases().flatMap(
                        a ->
                                Stream.of(
                                        Arguments.of(
                                                a.get()[0],
                                                a.get()[1],
                                                a.get()[2],
                                                WriteMode.DIRECT),
                                        Arguments.of(
                                                a.get()[0],
                                                a.get()[1],
                                                a.get()[2],
                                                WriteMode.COMMITTER)));
    }

    @ParameterizedTest(name = "{0} from {1} via {3}")
    @MethodSource("casesForBothPaths")
    void storesTheValueDuckDBWouldStore(String type, Object value, String expected, WriteMode mode)
            throws Exception {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("types.duckdb"));
        db.execute("CREATE TABLE t (id INTEGER, v " + type + ")");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("v", value);
        Map<String, Object> nullRow = new LinkedHashMap<>();
        nullRow.put("id", 2);
        nullRow.put("v", null);
        DuckDBSink<Map<String, Object>> sink =
                DuckDBSink.forMaps(db.url(), "t")
                        .setDeliveryGuarantee(
                                mode == WriteMode.DIRECT
                                        ? DeliveryGuarantee.AT_LEAST_ONCE
                                        : DeliveryGuarantee.EXACTLY_ONCE)
                        .build();
        try (SinkHarness<Map<String, Object>> h =
                mode == WriteMode.DIRECT
                        ? SinkHarness.direct(sink)
                        : SinkHarness.committerPath(sink)) {
            h.write(row, nullRow);
            List<DuckDBCommittable> committables = h.checkpoint();
            h.commit(committables);
        }
        assertThat(
                        db.count(
                                "SELECT count(*) FROM t WHERE id = 1 AND v IS NOT DISTINCT FROM CAST("
                                        + expected
                                        + " AS "
                                        + type
                                        + ")"))
                .as("stored %s", db.strings("SELECT CAST(v AS VARCHAR) FROM t WHERE id = 1"))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM t WHERE id = 2 AND v IS NULL")).isEqualTo(1);
    }
}
