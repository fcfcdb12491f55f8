package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.conversion.DuckDBValueReader;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The typed staging path writes the same Parquet as DuckDB itself: rows read the way the transform
 * hands them over ({@link DuckDBValueReader}), staged and sealed, give the column types and values
 * of a {@code COPY} of the same query.
 */
class ParquetStagingBufferTest {

    /** Column name, DuckDB type, and two values (SQL literals), one of them often NULL. */
    private static final String[][] COLUMNS = {
        {"b", "BOOLEAN", "true", "NULL"},
        {"ti", "TINYINT", "-128", "127"},
        {"ut", "UTINYINT", "255", "0"},
        {"us", "USMALLINT", "65535", "NULL"},
        {"ui", "UINTEGER", "4294967295", "1"},
        {"ub", "UBIGINT", "18446744073709551615", "0"},
        {"h", "HUGEINT", "-170141183460469231731687303715884105728", "42"},
        {"uh", "UHUGEINT", "340282366920938463463374607431768211455", "NULL"},
        {"f", "FLOAT", "0.1", "'NaN'"},
        {"d", "DOUBLE", "1e300", "'-Infinity'"},
        {"dec", "DECIMAL(12,2)", "1234567890.12", "-0.5"},
        {"s", "VARCHAR", "'a \"quoted\" \\ line\nnext'", "''"},
        {"bl", "BLOB", "'\\x00\\xFFab'::BLOB", "NULL"},
        {"dt", "DATE", "'2026-01-02'", "'0001-01-01'"},
        {"tm", "TIME", "'10:11:12.123456'", "NULL"},
        {"tns", "TIME_NS", "'10:11:12.123456789'", "NULL"},
        {"ts", "TIMESTAMP", "'2026-01-02 03:04:05.123456'", "NULL"},
        {"tss", "TIMESTAMP_S", "'2026-01-02 03:04:05'", "NULL"},
        {"tsm", "TIMESTAMP_MS", "'2026-01-02 03:04:05.123'", "NULL"},
        {"tsn", "TIMESTAMP_NS", "'2026-01-02 03:04:05.123456789'", "NULL"},
        {"tz", "TIMESTAMP WITH TIME ZONE", "'2026-01-02 03:04:05.5+02'", "NULL"},
        {"ttz", "TIME WITH TIME ZONE", "'10:11:12+02'", "NULL"},
        {"u", "UUID", "'5f0c6a8e-1a0b-4a4d-9b4e-1f2a3b4c5d6e'", "NULL"},
        {"j", "JSON", "'{\"a\": [1, 2]}'", "NULL"},
        {"e", "ENUM('x', 'y')", "'y'", "NULL"},
        {"iv", "INTERVAL", "INTERVAL '1 year 2 days 3 seconds'", "NULL"},
        {"bt", "BIT", "'0101'", "NULL"},
        {"bn", "BIGNUM", "'123456789012345678901234567890123456789012'", "NULL"},
        {"li", "INTEGER[]", "[1, NULL, 3]", "[]"},
        {"ar", "INTEGER[2]", "[1, 2]", "NULL"},
        {"m", "MAP(VARCHAR, INTEGER)", "MAP {'k': 1, 'z': NULL}", "NULL"},
        {
            "st",
            "STRUCT(a INTEGER, b VARCHAR[], ts TIMESTAMP)",
            "{'a': 1, 'b': ['x', NULL], 'ts': '2026-01-02 03:04:05'}",
            "{'a': NULL, 'b': NULL, 'ts': NULL}"
        },
        {"sz", "STRUCT(t TIME WITH TIME ZONE, n BIGINT)", "{'t': '10:11:12+02', 'n': 1}", "NULL"},
        {"ls", "STRUCT(k VARCHAR, v DOUBLE)[]", "[{'k': 'a', 'v': 1.5}, NULL]", "NULL"},
    };

    @Test
    void writesTheColumnTypesAndValuesDuckDBWrites(@TempDir Path dir) throws Exception {
        List<ColumnSchema> columns = new ArrayList<>();
        List<DuckDBValueReader> readers = new ArrayList<>();
        for (String[] c : COLUMNS) {
            DuckDBType type = DuckDBType.parse(c[1]);
            columns.add(ColumnSchema.of(c[0], type));
            readers.add(DuckDBValueReader.of(type));
        }
        String query = select(2) + " UNION ALL " + select(3);
        Path staged = dir.resolve("chunks/staged.parquet");
        Path expected = dir.resolve("expected.parquet");
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement()) {
            st.execute(
                    "COPY ("
                            + query
                            + ") TO "
                            + SqlIdentifiers.literal(expected.toString())
                            + " (FORMAT parquet)");
            try (ParquetStagingBuffer buffer =
                    new ParquetStagingBuffer(columns, "zstd", dir.resolve("spill"), "256MB")) {
                try (ResultSet rs = st.executeQuery(query)) {
                    while (rs.next()) {
                        Row row = Row.withNames();
                        for (int i = 0; i < COLUMNS.length; i++) {
                            // As the transform reads them (ModelRowReader).
                            Object raw =
                                    columns.get(i).type().id() == DuckDBType.Id.TIMESTAMP
                                            ? rs.getObject(i + 1, LocalDateTime.class)
                                            : rs.getObject(i + 1);
                            row.setField(
                                    COLUMNS[i][0], raw == null ? null : readers.get(i).read(raw));
                        }
                        buffer.add(row);
                    }
                }
                assertThat(buffer.rows()).isEqualTo(2);
                buffer.sealTo(staged);
                assertThat(buffer.rows()).isZero();
            }
            assertThat(describe(st, staged)).isEqualTo(describe(st, expected));
            assertThat(
                            count(
                                    st,
                                    "SELECT * FROM ("
                                            + read(expected)
                                            + " EXCEPT ALL "
                                            + read(staged)
                                            + ") UNION ALL SELECT * FROM ("
                                            + read(staged)
                                            + " EXCEPT ALL "
                                            + read(expected)
                                            + ")"))
                    .isZero();
            assertThat(count(st, read(staged))).isEqualTo(2);
        }
    }

    @Test
    void aValueThatDoesNotFitNamesTheColumnAndLeavesTheBufferAsItWas(@TempDir Path dir)
            throws Exception {
        List<ColumnSchema> columns =
                List.of(ColumnSchema.of("qty", DuckDBType.of(DuckDBType.Id.INTEGER)));
        try (ParquetStagingBuffer buffer =
                new ParquetStagingBuffer(columns, "zstd", dir.resolve("spill"), "256MB")) {
            Row row = Row.withNames();
            row.setField("qty", 3_000_000_000L);
            assertThatThrownBy(() -> buffer.add(row))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("'qty' (INTEGER)")
                    .hasMessageContaining("java.lang.Long")
                    .hasMessageContaining("out of range");
            row.setField("qty", 5);
            buffer.add(row);
            assertThat(buffer.rows()).isEqualTo(1);
            Path chunk = dir.resolve("chunks/one.parquet");
            buffer.sealTo(chunk);
            try (Connection c = DuckDBDriverConnections.inMemory();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT qty FROM (" + read(chunk) + ")")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(5);
                assertThat(rs.next()).isFalse();
            }
        }
    }

    private static String select(int valueIndex) {
        StringBuilder sb = new StringBuilder("SELECT ");
        for (int i = 0; i < COLUMNS.length; i++) {
            String[] c = COLUMNS[i];
            sb.append(i == 0 ? "" : ", ")
                    .append("CAST(")
                    .append(c[valueIndex])
                    .append(" AS ")
                    .append(c[1])
                    .append(") AS ")
                    .append(SqlIdentifiers.quote(c[0]));
        }
        return sb.toString();
    }

    private static String read(Path file) {
        return "SELECT * FROM read_parquet(" + SqlIdentifiers.literal(file.toString()) + ")";
    }

    private static List<String> describe(Statement st, Path file) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("DESCRIBE " + read(file))) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return out;
    }

    private static long count(Statement st, String query) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM (" + query + ")")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
