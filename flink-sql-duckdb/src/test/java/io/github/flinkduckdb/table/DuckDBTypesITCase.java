package io.github.flinkduckdb.table;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.github.flinkduckdb.table.SqlTestSupport.collect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every supported type in both directions: a Flink value written through the connector and read by
 * DuckDB, and a DuckDB value read through the connector by Flink.
 */
class DuckDBTypesITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SqlTestSupport.miniCluster();

    @TempDir Path dir;

    /**
     * @param flinkType the declared Flink type
     * @param flinkValue a Flink SQL expression written by Flink
     * @param duckType the DuckDB column type ('create-table' derives it when {@code derived})
     * @param duckText the written value as DuckDB prints it ({@code CAST(v AS VARCHAR)})
     * @param duckValue a DuckDB SQL literal read by Flink
     * @param flinkText the read value as Flink prints the row
     * @param derived whether 'create-table' = 'true' creates the DuckDB column (Flink types) or the
     *     column is created in DuckDB first (DuckDB-only types)
     */
    record Case(
            String name,
            String flinkType,
            String flinkValue,
            String duckType,
            String duckText,
            String duckValue,
            String flinkText,
            boolean derived) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case flink(
            String name,
            String flinkType,
            String flinkValue,
            String duckType,
            String duckText,
            String duckValue,
            String flinkText) {
        return new Case(
                name, flinkType, flinkValue, duckType, duckText, duckValue, flinkText, true);
    }

    private static Case duck(
            String name,
            String flinkType,
            String flinkValue,
            String duckType,
            String duckText,
            String duckValue,
            String flinkText) {
        return new Case(
                name, flinkType, flinkValue, duckType, duckText, duckValue, flinkText, false);
    }

    static Stream<Case> cases() {
        return Stream.of(
                flink("BOOLEAN", "BOOLEAN", "TRUE", "BOOLEAN", "true", "false", "+I[false]"),
                flink(
                        "TINYINT",
                        "TINYINT",
                        "CAST(-7 AS TINYINT)",
                        "TINYINT",
                        "-7",
                        "127",
                        "+I[127]"),
                flink(
                        "SMALLINT",
                        "SMALLINT",
                        "CAST(-32768 AS SMALLINT)",
                        "SMALLINT",
                        "-32768",
                        "32767",
                        "+I[32767]"),
                flink(
                        "INT",
                        "INT",
                        "2147483647",
                        "INTEGER",
                        "2147483647",
                        "-2147483648",
                        "+I[-2147483648]"),
                flink(
                        "BIGINT",
                        "BIGINT",
                        "CAST(9223372036854775807 AS BIGINT)",
                        "BIGINT",
                        "9223372036854775807",
                        "-9223372036854775808",
                        "+I[-9223372036854775808]"),
                flink("FLOAT", "FLOAT", "CAST(1.5 AS FLOAT)", "FLOAT", "1.5", "-0.25", "+I[-0.25]"),
                flink(
                        "DOUBLE",
                        "DOUBLE",
                        "CAST(2.000001 AS DOUBLE)",
                        "DOUBLE",
                        "2.000001",
                        "1e300",
                        "+I[1.0E300]"),
                flink(
                        "DECIMAL(p,s)",
                        "DECIMAL(10, 3)",
                        "CAST(-12345.678 AS DECIMAL(10, 3))",
                        "DECIMAL(10,3)",
                        "-12345.678",
                        "9999999.999",
                        "+I[9999999.999]"),
                flink(
                        "DECIMAL(38,10)",
                        "DECIMAL(38, 10)",
                        "CAST('1234567890123456789012345678.0123456789' AS DECIMAL(38, 10))",
                        "DECIMAL(38,10)",
                        "1234567890123456789012345678.0123456789",
                        "-0.0000000001",
                        "+I[-1E-10]"),
                flink("CHAR", "CHAR(3)", "'abc'", "VARCHAR", "abc", "'xyz'", "+I[xyz]"),
                flink(
                        "VARCHAR",
                        "VARCHAR(10)",
                        "'hello'",
                        "VARCHAR",
                        "hello",
                        "'world'",
                        "+I[world]"),
                flink(
                        "STRING",
                        "STRING",
                        "'héllo ✓'",
                        "VARCHAR",
                        "héllo ✓",
                        "'ünïcode ✓'",
                        "+I[ünïcode ✓]"),
                flink(
                        "BINARY",
                        "BINARY(2)",
                        "X'0102'",
                        "BLOB",
                        "\\x01\\x02",
                        "'\\xFF\\x00'::BLOB",
                        "+I[[-1, 0]]"),
                flink(
                        "VARBINARY",
                        "VARBINARY(4)",
                        "X'00FF10'",
                        "BLOB",
                        "\\x00\\xFF\\x10",
                        "'\\x7F'::BLOB",
                        "+I[[127]]"),
                flink(
                        "BYTES",
                        "BYTES",
                        "X'CAFE'",
                        "BLOB",
                        "\\xCA\\xFE",
                        "'abc'::BLOB",
                        "+I[[97, 98, 99]]"),
                flink(
                        "DATE",
                        "DATE",
                        "DATE '2024-02-29'",
                        "DATE",
                        "2024-02-29",
                        "DATE '1969-12-31'",
                        "+I[1969-12-31]"),
                flink(
                        "TIME",
                        "TIME(3)",
                        "TIME '12:34:56.789'",
                        "TIME",
                        "12:34:56.789",
                        "TIME '23:59:59.999'",
                        "+I[23:59:59.999]"),
                flink(
                        "TIMESTAMP(3)",
                        "TIMESTAMP(3)",
                        "TIMESTAMP '2024-01-02 03:04:05.123'",
                        "TIMESTAMP",
                        "2024-01-02 03:04:05.123",
                        "TIMESTAMP '1999-12-31 23:59:59.5'",
                        "+I[1999-12-31T23:59:59.500]"),
                flink(
                        "TIMESTAMP(6)",
                        "TIMESTAMP(6)",
                        "TIMESTAMP '2024-01-02 03:04:05.123456'",
                        "TIMESTAMP",
                        "2024-01-02 03:04:05.123456",
                        "TIMESTAMP '2000-01-01 00:00:00.000001'",
                        "+I[2000-01-01T00:00:00.000001]"),
                flink(
                        "TIMESTAMP(9)",
                        "TIMESTAMP(9)",
                        "TIMESTAMP '2024-01-02 03:04:05.123456789'",
                        "TIMESTAMP_NS",
                        "2024-01-02 03:04:05.123456789",
                        "TIMESTAMP_NS '2000-01-01 00:00:00.000000001'",
                        "+I[2000-01-01T00:00:00.000000001]"),
                flink(
                        "TIMESTAMP_LTZ",
                        "TIMESTAMP_LTZ(3)",
                        "TO_TIMESTAMP_LTZ(1700000000123, 3)",
                        "TIMESTAMP WITH TIME ZONE",
                        "1700000000123",
                        "TIMESTAMPTZ '2024-01-02 03:04:05.123456+00'",
                        "+I[2024-01-02T03:04:05.123Z]"),
                flink(
                        "ARRAY",
                        "ARRAY<INT>",
                        "ARRAY[1, CAST(NULL AS INT), 3]",
                        "INTEGER[]",
                        "[1, NULL, 3]",
                        "[[4, 5], NULL]::INTEGER[][]"
                                .replace("[[4, 5], NULL]::INTEGER[][]", "[4, NULL, 6]"),
                        "+I[[4, null, 6]]"),
                flink(
                        "ARRAY of ARRAY",
                        "ARRAY<ARRAY<STRING>>",
                        "ARRAY[ARRAY['a', 'b'], ARRAY['c']]",
                        "VARCHAR[][]",
                        "[[a, b], [c]]",
                        "[['x'], []]",
                        "+I[[[x], []]]"),
                flink(
                        "MAP",
                        "MAP<STRING, INT>",
                        "MAP['a', 1]",
                        "MAP(VARCHAR, INTEGER)",
                        "{a=1}",
                        "MAP {'k': 7}",
                        "+I[{k=7}]"),
                flink(
                        "ROW (nested)",
                        "ROW<a INT, b ROW<c STRING, d ARRAY<DOUBLE>>, ts TIMESTAMP(3)>",
                        "ROW(1, ROW('x', ARRAY[1.5, 2.5]), TIMESTAMP '2024-01-02 03:04:05')",
                        "STRUCT(a INTEGER, b STRUCT(c VARCHAR, d DOUBLE[]), ts TIMESTAMP)",
                        "{'a': 1, 'b': {'c': x, 'd': [1.5, 2.5]}, 'ts': '2024-01-02 03:04:05'}",
                        "{'a': 2, 'b': {'c': 'y', 'd': []}, 'ts': TIMESTAMP '2001-02-03 04:05:06.007'}",
                        "+I[+I[2, +I[y, []], 2001-02-03T04:05:06.007]]"),
                duck(
                        "HUGEINT",
                        "DECIMAL(38, 0)",
                        "CAST('-12345678901234567890123456789012345678' AS DECIMAL(38, 0))",
                        "HUGEINT",
                        "-12345678901234567890123456789012345678",
                        "99999999999999999999999999999999999999",
                        "+I[99999999999999999999999999999999999999]"),
                duck(
                        "UHUGEINT",
                        "DECIMAL(38, 0)",
                        "CAST('12345678901234567890123456789012345678' AS DECIMAL(38, 0))",
                        "UHUGEINT",
                        "12345678901234567890123456789012345678",
                        "0",
                        "+I[0]"),
                duck(
                        "UBIGINT",
                        "DECIMAL(20, 0)",
                        "CAST('18446744073709551615' AS DECIMAL(20, 0))",
                        "UBIGINT",
                        "18446744073709551615",
                        "18446744073709551614",
                        "+I[18446744073709551614]"),
                duck(
                        "UUID",
                        "STRING",
                        "'123e4567-e89b-12d3-a456-426614174000'",
                        "UUID",
                        "123e4567-e89b-12d3-a456-426614174000",
                        "'00000000-0000-0000-0000-00000000002a'",
                        "+I[00000000-0000-0000-0000-00000000002a]"),
                duck(
                        "JSON",
                        "STRING",
                        "'{\"a\":[1,2]}'",
                        "JSON",
                        "{\"a\":[1,2]}",
                        "'{\"b\": true}'",
                        "+I[{\"b\": true}]"),
                duck(
                        "ENUM",
                        "STRING",
                        "'medium'",
                        "ENUM('small', 'medium', 'large')",
                        "medium",
                        "'large'",
                        "+I[large]"),
                duck(
                        "INTERVAL",
                        "STRING",
                        "'1 day 2 hours'",
                        "INTERVAL",
                        "1 day 02:00:00",
                        "INTERVAL 1 YEAR + INTERVAL 2 DAY + INTERVAL 3 SECOND",
                        "+I[1 year 2 days 00:00:03]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void typeRoundTripsBothWays(Case c) throws Exception {
        Path file = dir.resolve("types.duckdb");
        DuckDBTestDatabase db = DuckDBTestDatabase.at(file);
        String with =
                " WITH ('connector' = 'duckdb', 'path' = '" + SqlTestSupport.sqlPath(file) + "'";
        if (!c.derived()) {
            db.execute("CREATE TABLE w (v " + c.duckType() + ")");
        }
        db.execute(
                "CREATE TABLE r (v " + c.duckType() + ")",
                "INSERT INTO r VALUES (" + c.duckValue() + ")");
        StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);
        t.executeSql(
                "CREATE TABLE w (v "
                        + c.flinkType()
                        + ")"
                        + with
                        + (c.derived() ? ", 'create-table' = 'true')" : ")"));
        t.executeSql("CREATE TABLE r (v " + c.flinkType() + ")" + with + ")");

        // Flink -> DuckDB
        t.executeSql("INSERT INTO w SELECT " + c.flinkValue()).await();
        assertThat(db.strings("SELECT data_type FROM duckdb_columns() WHERE table_name = 'w'"))
                .containsExactly(normalized(db, c.duckType()));
        String text =
                c.duckType().startsWith("TIMESTAMP WITH")
                        ? "SELECT CAST(epoch_ms(v) AS VARCHAR) FROM w"
                        : "SELECT CAST(v AS VARCHAR) FROM w";
        assertThat(db.strings(text)).containsExactly(c.duckText());

        // DuckDB -> Flink
        List<Row> rows = collect(t.executeSql("SELECT v FROM r"));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).toString()).isEqualTo(c.flinkText());
    }

    /** The type as DuckDB prints it in duckdb_columns(). */
    private static String normalized(DuckDBTestDatabase db, String duckType) {
        db.execute("CREATE OR REPLACE TABLE type_probe (v " + duckType + ")");
        return db.strings("SELECT data_type FROM duckdb_columns() WHERE table_name = 'type_probe'")
                .get(0);
    }

    @Test
    void hugeintBeyondDecimal38FailsNamingTheColumn() throws Exception {
        Path file = dir.resolve("huge.duckdb");
        DuckDBTestDatabase.at(file)
                .execute(
                        "CREATE TABLE big (id INTEGER, h HUGEINT)",
                        "INSERT INTO big VALUES (1, 170141183460469231731687303715884105727)");
        StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);
        t.executeSql(
                "CREATE TABLE big (id INT, h DECIMAL(38, 0)) WITH ('connector' = 'duckdb', 'path' = '"
                        + SqlTestSupport.sqlPath(file)
                        + "')");
        assertThatThrownBy(() -> collect(t.executeSql("SELECT h FROM big")))
                .hasStackTraceContaining("Reading table big")
                .hasStackTraceContaining("DECIMAL(38,0)");
    }

    @Test
    void unionColumnIsUnsupportedNamingTheColumn() {
        Path file = dir.resolve("union.duckdb");
        DuckDBTestDatabase.at(file)
                .execute("CREATE TABLE u (id INTEGER, x UNION(n INTEGER, s VARCHAR))");
        StreamTableEnvironment t = SqlTestSupport.streaming(1, 0);
        t.executeSql(
                "CREATE TABLE u (id INT, x STRING) WITH ('connector' = 'duckdb', 'path' = '"
                        + SqlTestSupport.sqlPath(file)
                        + "')");
        assertThatThrownBy(() -> t.executeSql("SELECT x FROM u"))
                .hasStackTraceContaining("Column 'x'")
                .hasStackTraceContaining("UNION(\"n\" INTEGER, \"s\" VARCHAR)");
    }
}
