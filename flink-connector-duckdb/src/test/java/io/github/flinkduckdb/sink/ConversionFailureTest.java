package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.java.tuple.Tuple2;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Values that do not fit their column fail their batch (never a silent NULL, truncation or
 * rounding), and the message names table, column, expected type, Java type and batch.
 */
class ConversionFailureTest {

    @TempDir Path dir;

    static Stream<Arguments> badValues() {
        Map<String, Object> unknownField = new LinkedHashMap<>();
        unknownField.put("a", 1);
        unknownField.put("zzz", 2);
        return Stream.of(
                Arguments.of(
                        "BIGINT",
                        "two",
                        "column 'v' (BIGINT)",
                        "java.lang.String",
                        "expected a whole number"),
                Arguments.of(
                        "INTEGER",
                        2.7,
                        "column 'v' (INTEGER)",
                        "java.lang.Double",
                        "not a whole number"),
                Arguments.of(
                        "SMALLINT",
                        40000,
                        "column 'v' (SMALLINT)",
                        "java.lang.Integer",
                        "out of range for SMALLINT"),
                Arguments.of(
                        "UTINYINT",
                        -1,
                        "column 'v' (UTINYINT)",
                        "java.lang.Integer",
                        "out of range"),
                Arguments.of(
                        "DECIMAL(5,2)",
                        new BigDecimal("1.005"),
                        "column 'v' (DECIMAL(5,2))",
                        "java.math.BigDecimal",
                        "more than 2 decimal places"),
                Arguments.of(
                        "DECIMAL(5,2)",
                        new BigDecimal("12345.6"),
                        "column 'v' (DECIMAL(5,2))",
                        "java.math.BigDecimal",
                        "more digits"),
                Arguments.of(
                        "BOOLEAN",
                        "true",
                        "column 'v' (BOOLEAN)",
                        "java.lang.String",
                        "expected a Boolean"),
                Arguments.of(
                        "DATE",
                        "2024-01-01",
                        "column 'v' (DATE)",
                        "java.lang.String",
                        "expected a LocalDate"),
                Arguments.of(
                        "UUID",
                        "not-a-uuid",
                        "column 'v' (UUID)",
                        "java.lang.String",
                        "not a UUID"),
                Arguments.of(
                        "ENUM('a','b')",
                        "c",
                        "column 'v' (ENUM('a', 'b'))",
                        "java.lang.String",
                        "not one of the ENUM's values"),
                Arguments.of(
                        "INTEGER[]",
                        Arrays.asList(1, "x"),
                        "column 'v[1]' (INTEGER inside INTEGER[])",
                        "java.lang.String",
                        "expected a whole number"),
                Arguments.of(
                        "STRUCT(a INTEGER)",
                        unknownField,
                        "column 'v' (STRUCT(\"a\" INTEGER))",
                        "java.util.LinkedHashMap",
                        "has no field 'zzz'"),
                Arguments.of(
                        "STRUCT(a INTEGER)",
                        Collections.singletonMap("a", 1.5),
                        "column 'v.a' (INTEGER inside STRUCT(\"a\" INTEGER))",
                        "java.lang.Double",
                        "not a whole number"),
                Arguments.of(
                        "BLOB", "abc", "column 'v' (BLOB)", "java.lang.String", "expected byte[]"),
                Arguments.of(
                        "INTERVAL",
                        "not an interval",
                        "column 'v' (INTERVAL)",
                        null,
                        "DuckDB cannot convert it"));
    }

    @ParameterizedTest(name = "{1} into {0}")
    @MethodSource("badValues")
    void failsTheBatchWithAClearMessage(
            String type, Object value, String column, String javaType, String reason)
            throws Exception {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("bad.duckdb"));
        db.execute("CREATE TABLE t (id INTEGER, v " + type + ")");
        Map<String, Object> good = new LinkedHashMap<>();
        good.put("id", 1);
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("id", 2);
        bad.put("v", value);
        List<Map<String, Object>> rows = Arrays.asList(good, bad);
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.direct(DuckDBSink.forKeyedBatches(db.url(), "t").build())) {
            assertThatThrownBy(
                            () -> {
                                h.write(Tuple2.of("batch-42", rows));
                                h.checkpoint();
                            })
                    .isInstanceOf(DuckDBSinkException.class)
                    .hasMessageContaining(column)
                    .hasMessageContaining("table bad.main.t")
                    .hasMessageContaining("batch 'batch-42'")
                    .hasMessageContaining(javaType == null ? "" : "Java type " + javaType)
                    .hasMessageContaining(reason);
        }
        assertThat(db.count("SELECT count(*) FROM t")).as("no row of the failed batch").isZero();
    }
}
