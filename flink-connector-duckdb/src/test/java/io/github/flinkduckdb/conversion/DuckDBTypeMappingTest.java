package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one DuckDB <-> Flink type table, from both directions, and the reader that follows it. */
class DuckDBTypeMappingTest {

    /** DuckDB types that come back as themselves through their Flink type. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "BOOLEAN",
                "TINYINT",
                "SMALLINT",
                "INTEGER",
                "BIGINT",
                "FLOAT",
                "DOUBLE",
                "DECIMAL(18,4)",
                "DECIMAL(38,0)",
                "VARCHAR",
                "BLOB",
                "DATE",
                "TIME",
                "TIMESTAMP",
                "TIMESTAMP_NS",
                "TIMESTAMP WITH TIME ZONE",
                "BIGINT[]",
                "MAP(VARCHAR, DOUBLE)",
                "STRUCT(a INTEGER, b STRUCT(c VARCHAR, d DATE[]))",
            })
    void losslessDuckDBTypesRoundTripThroughFlink(String sql) {
        DuckDBType duck = DuckDBType.parse(sql);
        DataType flink = DuckDBTypeMapping.toFlink(duck, "c");
        assertThat(DuckDBTypeMapping.toDuckDB(flink.getLogicalType(), "c")).isEqualTo(duck);
    }

    /** Flink types that come back as themselves through their DuckDB type. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "BOOLEAN",
                "TINYINT",
                "SMALLINT",
                "INT",
                "BIGINT",
                "FLOAT",
                "DOUBLE",
                "DECIMAL(10, 2)",
                "STRING",
                "BYTES",
                "DATE",
                "TIME(3)",
                "TIMESTAMP(6)",
                "TIMESTAMP(9)",
                "TIMESTAMP_LTZ(6)",
                "ARRAY<INT>",
                "MAP<STRING, BIGINT>",
                "ROW<a INT, b ARRAY<ROW<c STRING>>>",
            })
    void losslessFlinkTypesRoundTripThroughDuckDB(String sql) {
        DataType flink = flinkType(sql);
        DuckDBType duck = DuckDBTypeMapping.toDuckDB(flink.getLogicalType(), "c");
        assertThat(DuckDBTypeMapping.toFlink(duck, "c")).isEqualTo(flink);
    }

    /** Every lossy case of the table, in one place: DuckDB -> Flink -> DuckDB. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "UTINYINT | SMALLINT | SMALLINT",
                "USMALLINT | INT | INTEGER",
                "UINTEGER | BIGINT | BIGINT",
                "UBIGINT | DECIMAL(20, 0) | DECIMAL(20,0)",
                "HUGEINT | DECIMAL(38, 0) | DECIMAL(38,0)",
                "UHUGEINT | DECIMAL(38, 0) | DECIMAL(38,0)",
                "TIME_NS | TIME(3) | TIME",
                "TIMESTAMP_S | TIMESTAMP(0) | TIMESTAMP",
                "TIMESTAMP_MS | TIMESTAMP(3) | TIMESTAMP",
                "INTEGER[3] | ARRAY<INT> | INTEGER[]",
                "JSON | STRING | VARCHAR",
                "UUID | STRING | VARCHAR",
                "ENUM('a', 'b') | STRING | VARCHAR",
                "BIT | STRING | VARCHAR",
                "BIGNUM | STRING | VARCHAR",
                "INTERVAL | STRING | VARCHAR",
                "TIME WITH TIME ZONE | STRING | VARCHAR",
            })
    void lossyDuckDBTypes(String duckSql, String flinkSql, String backSql) {
        DataType flink = DuckDBTypeMapping.toFlink(DuckDBType.parse(duckSql), "c");
        assertThat(flink).isEqualTo(flinkType(flinkSql));
        assertThat(DuckDBTypeMapping.toDuckDB(flink.getLogicalType(), "c"))
                .isEqualTo(DuckDBType.parse(backSql));
    }

    /** Every lossy case of the table, in one place: Flink -> DuckDB -> Flink. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "CHAR(3) | VARCHAR | STRING",
                "VARCHAR(10) | VARCHAR | STRING",
                "BINARY(4) | BLOB | BYTES",
                "VARBINARY(4) | BLOB | BYTES",
                "TIME(0) | TIME | TIME(3)",
                "TIMESTAMP(3) | TIMESTAMP | TIMESTAMP(6)",
                "TIMESTAMP(7) | TIMESTAMP_NS | TIMESTAMP(9)",
                "TIMESTAMP_LTZ(3) | TIMESTAMP WITH TIME ZONE | TIMESTAMP_LTZ(6)",
            })
    void lossyFlinkTypes(String flinkSql, String duckSql, String backSql) {
        DuckDBType duck = DuckDBTypeMapping.toDuckDB(flinkType(flinkSql).getLogicalType(), "c");
        assertThat(duck).isEqualTo(DuckDBType.parse(duckSql));
        assertThat(DuckDBTypeMapping.toFlink(duck, "c")).isEqualTo(flinkType(backSql));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UNION(i INTEGER, s VARCHAR)", "STRUCT(u UNION(i INTEGER))"})
    void unionHasNoFlinkSqlTypeButReadsAsText(String sql) {
        DuckDBType duck = DuckDBType.parse(sql);
        assertThatThrownBy(() -> DuckDBTypeMapping.toFlink(duck, "c"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("Column 'c");
        assertThat(DuckDBTypeMapping.toFlinkOrText(duck).getLogicalType().asSummaryString())
                .contains("STRING")
                .doesNotContain("UNION");
    }

    /** The reader returns the Java class the table declares, for values from DuckDB's driver. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "BOOLEAN | true",
                "TINYINT | 1",
                "UTINYINT | 255",
                "USMALLINT | 65535",
                "UINTEGER | 4294967295",
                "UBIGINT | 18446744073709551615",
                "HUGEINT | -170141183460469231731687303715884105728",
                "UHUGEINT | 340282366920938463463374607431768211455",
                "BIGNUM | 123456789012345678901234567890123456789012",
                "DECIMAL(10,2) | 12.5",
                "FLOAT | 1.5",
                "DATE | 2026-01-02",
                "TIME | 10:11:12.123456",
                "TIMESTAMP | 2026-01-02 10:11:12.5",
                "TIMESTAMP WITH TIME ZONE | 2026-01-02 10:11:12+00",
                "BLOB | abc",
                "UUID | 5f0c6a8e-1a0b-4a4d-9b4e-1f2a3b4c5d6e",
                "INTERVAL | 1 day",
                "TIME WITH TIME ZONE | 10:11:12+02",
                "'INTEGER[]' | [1, NULL, 3]",
                "'INTEGER[2]' | [1, 2]",
                "'MAP(VARCHAR, INTEGER)' | {a=1}",
                "'STRUCT(a INTEGER, b VARCHAR[])' | {'a': 1, 'b': ['x']}",
            })
    void readerReturnsTheDeclaredJavaClass(String duckSql, String literal) throws Exception {
        DuckDBType duck = DuckDBType.parse(duckSql);
        Class<?> expected = DuckDBTypeMapping.toFlinkOrText(duck).getConversionClass();
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT CAST('"
                                        + literal.replace("'", "''")
                                        + "' AS "
                                        + duck.toSql()
                                        + ")")) {
            rs.next();
            Object value = DuckDBValueReader.of(duck).read(rs.getObject(1));
            assertThat(value).isInstanceOf(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"UBIGINT", "HUGEINT", "UHUGEINT"})
    void wideIntegersReadAsExactWholeDecimals(String sql) throws Exception {
        DuckDBType duck = DuckDBType.parse(sql);
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT CAST(18446744073709551615 AS " + sql + ")")) {
            rs.next();
            assertThat(DuckDBValueReader.of(duck).read(rs.getObject(1)))
                    .isEqualTo(new BigDecimal("18446744073709551615"));
        }
    }

    @org.junit.jupiter.api.Test
    void readerTakesTheSinkConvertersValuesToo() throws Exception {
        DuckDBType struct = DuckDBType.parse("STRUCT(n HUGEINT, t TIME_NS, at TIMESTAMP)");
        Object converted =
                ValueConverter.convert(
                        Map.of(
                                "n", 7,
                                "t", LocalTime.of(1, 2, 3, 4),
                                "at", LocalDateTime.of(2026, 1, 2, 3, 4)),
                        struct);
        Row row = (Row) DuckDBValueReader.of(struct).read(converted);
        assertThat(row.getField("n")).isEqualTo(BigDecimal.valueOf(7));
        assertThat(row.getField("t")).isEqualTo(LocalTime.of(1, 2, 3, 4));
        assertThat(row.getField("at")).isEqualTo(LocalDateTime.of(2026, 1, 2, 3, 4));
        assertThat(DuckDBValueReader.of(DuckDBType.parse("DATE")).read(LocalDate.of(2026, 1, 2)))
                .isEqualTo(LocalDate.of(2026, 1, 2));
        assertThat(
                        DuckDBValueReader.of(DuckDBType.parse("TIMESTAMPTZ"))
                                .read(java.time.OffsetDateTime.parse("2026-01-02T03:04:05+01:00")))
                .isEqualTo(Instant.parse("2026-01-02T02:04:05Z"));
    }

    private static DataType flinkType(String sql) {
        return org.apache.flink.table.types.utils.TypeConversions.fromLogicalToDataType(
                org.apache.flink.table.types.logical.utils.LogicalTypeParser.parse(
                        sql, DuckDBTypeMappingTest.class.getClassLoader()));
    }
}
