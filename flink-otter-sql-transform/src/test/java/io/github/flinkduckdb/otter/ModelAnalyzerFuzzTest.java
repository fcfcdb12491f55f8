package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.DuckDBSettings;
import io.github.flinkduckdb.otter.internal.OtterDatabase;
import io.github.flinkduckdb.otter.internal.analysis.ModelAnalyzer;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model's SQL text, analyzed as {@code OtterTransformBuilder#build()} does (in a DuckDB set up
 * like the operator's, without file or network access): either a plan or an {@link
 * OtterModelException} naming the model, never another exception or a hang. Each input goes through
 * DuckDB's parser and binder, so a fuzzing run covers fewer inputs than the pure parsers'; keep it
 * short (docs/reliability.md).
 */
class ModelAnalyzerFuzzTest {

    private static OtterDatabase database;
    private static ModelAnalyzer analyzer;

    @BeforeAll
    static void open() throws SQLException {
        database =
                OtterDatabase.open(
                        IncomingSchema.parse(
                                "id BIGINT, name VARCHAR, price DECIMAL(10,2), tags VARCHAR[],"
                                        + " nested STRUCT(k BIGINT, v VARCHAR), doc JSON"),
                        new DuckDBSettings("256MB", 1, null, "1GB", "UTC", false),
                        null,
                        true);
        analyzer = new ModelAnalyzer(database.connection(), false, true);
    }

    @AfterAll
    static void close() throws SQLException {
        database.close();
    }

    @FuzzTest(maxDuration = "20s")
    @DictionaryEntries({
        "SELECT ",
        " FROM incoming",
        " WHERE ",
        " GROUP BY ",
        " UNION ALL ",
        "unnest(tags)",
        "nested.k",
        "doc->>'$.a'",
        "count(*)",
        " OVER ()",
        "WITH t AS (",
        ") SELECT * FROM t",
        "read_csv('x')",
        "range(10)",
        "; ",
        "'",
        "\"",
        "(",
        ")"
    })
    void modelSqlIsAPlanOrAnOtterModelException(byte[] input) throws SQLException {
        String sql = new String(input, StandardCharsets.UTF_8);
        OtterModel model;
        try {
            model = OtterModel.of("fuzzed", sql);
        } catch (IllegalArgumentException e) {
            // e.g. empty SQL: OtterModel refuses it before any analysis.
            return;
        }
        try {
            assertThat(analyzer.analyze(model, null).name()).isEqualTo("fuzzed");
        } catch (OtterModelException e) {
            assertThat(e.getMessage()).contains("'fuzzed'");
        }
    }
}
