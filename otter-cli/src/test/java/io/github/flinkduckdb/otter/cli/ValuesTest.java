package io.github.flinkduckdb.otter.cli;

import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How `otter test` shows values: as DuckDB prints them. */
class ValuesTest {

    @Test
    void rendersValuesLikeDuckDB() {
        assertThat(Values.text(null)).isEqualTo("NULL");
        assertThat(Values.text(new BigDecimal("1E+2"))).isEqualTo("100");
        assertThat(Values.text(LocalDateTime.of(2024, 5, 1, 9, 15)))
                .isEqualTo("2024-05-01 09:15:00");
        assertThat(Values.text(LocalDateTime.of(2024, 5, 1, 9, 15, 1, 120_000_000)))
                .isEqualTo("2024-05-01 09:15:01.12");
        assertThat(Values.text(new byte[] {'a', 0, (byte) 0xff})).isEqualTo("a\\x00\\xFF");
        // Rows from the models carry their fields' positions (as the transform makes them).
        java.util.LinkedHashMap<String, Integer> positions = new java.util.LinkedHashMap<>();
        positions.put("id", 0);
        positions.put("name", 1);
        Row user =
                org.apache.flink.types.RowUtils.createRowWithNamedPositions(
                        org.apache.flink.types.RowKind.INSERT, new Object[] {7L, "Ada"}, positions);
        assertThat(Values.text(user)).isEqualTo("{'id': 7, 'name': 'Ada'}");
        assertThat(Values.text(new Object[] {"a", null, 2})).isEqualTo("['a', NULL, 2]");
        assertThat(Values.text(List.of(1, 2))).isEqualTo("[1, 2]");
    }
}
