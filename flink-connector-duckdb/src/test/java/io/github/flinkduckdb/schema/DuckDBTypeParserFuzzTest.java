package io.github.flinkduckdb.schema;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DuckDB type text, e.g. from a user's schema or a checkpoint: any text reads as a correct type
 * (whose SQL reads back as the same type) or fails with an {@link IllegalArgumentException} quoting
 * it, never another exception or a stack overflow. The fuzz test replays its inputs in {@code
 * DuckDBTypeParserFuzzTestInputs} in every build; {@code JAZZER_FUZZ=1} fuzzes it
 * (docs/reliability.md).
 */
class DuckDBTypeParserFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({
        "STRUCT(",
        "MAP(",
        "UNION(",
        "LIST(",
        "ENUM('",
        "DECIMAL(",
        "[]",
        "[3]",
        "\"",
        "''",
        "TIMESTAMP",
        " WITH TIME ZONE",
        "DOUBLE PRECISION",
        "VARCHAR",
        "INTEGER",
        ", ",
        ")"
    })
    void readsATypeOrFailsQuotingTheText(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        DuckDBType type;
        try {
            type = DuckDBType.parse(text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage())
                    .matches(
                            m ->
                                    m.startsWith("Cannot read DuckDB type '")
                                            || m.equals("Empty DuckDB type"));
            return;
        }
        String sql = type.toSql();
        assertThat(DuckDBType.parse(sql)).as(sql).isEqualTo(type);
        assertThat(DuckDBType.parse(sql).hashCode()).isEqualTo(type.hashCode());
    }

    private static String repeat(String s, int n) {
        StringBuilder sb = new StringBuilder(s.length() * n);
        for (int i = 0; i < n; i++) {
            sb.append(s);
        }
        return sb.toString();
    }

    @Test
    void deepNestingIsAClearErrorNotAStackOverflow() {
        // Before: StackOverflowError in the parser, and for the suffixes in toSql/hashCode.
        String structs = repeat("STRUCT(a ", 100_000) + "INTEGER" + repeat(")", 100_000);
        assertThatThrownBy(() -> DuckDBType.parse(structs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot read DuckDB type 'STRUCT(a STRUCT(a ")
                .hasMessageEndingWith(": nested deeper than 128 levels");
        assertThatThrownBy(() -> DuckDBType.parse("INTEGER" + repeat("[]", 100_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(": nested deeper than 128 levels");
        // At the bound: fine.
        DuckDBType deepest = DuckDBType.parse("INTEGER" + repeat("[]", 127));
        assertThat(DuckDBType.parse(deepest.toSql())).isEqualTo(deepest);
    }

    @Test
    void badParametersAreErrorsQuotingTheText() {
        // Before: NumberFormatException, "ARRAY needs parameters" and "DECIMAL(40,2) is not a
        // valid DuckDB decimal" without the text, and types whose toSql() threw.
        assertThatThrownBy(() -> DuckDBType.parse("INTEGER[99999999999]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot read DuckDB type 'INTEGER[99999999999]' at position 19: the"
                                + " number is too large");
        assertThatThrownBy(() -> DuckDBType.parse("INTEGER[0]"))
                .hasMessage(
                        "Cannot read DuckDB type 'INTEGER[0]' at position 9: an ARRAY needs at"
                                + " least one element");
        assertThatThrownBy(() -> DuckDBType.parse("ARRAY"))
                .hasMessage(
                        "Cannot read DuckDB type 'ARRAY' at position 5: ARRAY needs parameters");
        assertThatThrownBy(() -> DuckDBType.parse("DECIMAL(40,2)"))
                .hasMessage(
                        "Cannot read DuckDB type 'DECIMAL(40,2)' at position 13: DECIMAL(40,2) is"
                                + " not a valid DuckDB decimal");
        assertThatThrownBy(() -> DuckDBType.parse("STRUCT(\"\" INTEGER)"))
                .hasMessage(
                        "Cannot read DuckDB type 'STRUCT(\"\" INTEGER)' at position 9: a field"
                                + " needs a name");
        assertThatThrownBy(() -> DuckDBType.parse("ENUM('a\0b')"))
                .hasMessage(
                        "Cannot read DuckDB type 'ENUM('a\0b')' at position 10: an ENUM value must"
                                + " not contain NUL characters");
    }
}
