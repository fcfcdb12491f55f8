package io.github.flinkduckdb.otter.internal.analysis;

import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.TableIdentifier;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the output schema declared for a model (column definitions, read by DuckDB as a temporary
 * table) and checks that it names exactly the columns the model selects.
 */
final class DeclaredOutputSchema {

    private static final String DECLARED_TABLE = "__otter_declared_output";

    private DeclaredOutputSchema() {}

    /**
     * The declared columns, in declared order.
     *
     * @param definitions {@code name TYPE [NOT NULL], ...}
     * @param modelColumns the columns DuckDB binds for the model
     * @throws OtterModelException when DuckDB cannot read the definitions or the names differ
     */
    static List<ColumnSchema> read(
            Connection connection,
            OtterModel model,
            String definitions,
            List<ColumnSchema> modelColumns)
            throws SQLException {
        DuckDBTableSchema schema;
        try (Statement st = connection.createStatement()) {
            st.execute("DROP TABLE IF EXISTS temp.main." + DECLARED_TABLE);
            try {
                st.execute("CREATE TEMP TABLE " + DECLARED_TABLE + " (" + definitions + ")");
            } catch (SQLException e) {
                throw ModelAnalyzer.problem(
                        model,
                        OtterModelException.Problem.OUTPUT_SCHEMA,
                        "has a declared output schema DuckDB cannot read ("
                                + definitions
                                + "): "
                                + e.getMessage(),
                        e);
            }
            try {
                schema =
                        DuckDBTableSchemaReader.read(
                                        connection,
                                        new TableIdentifier("temp", "main", DECLARED_TABLE))
                                .orElseThrow(
                                        () ->
                                                new SQLException(
                                                        "The declared output table vanished"));
            } finally {
                st.execute("DROP TABLE IF EXISTS temp.main." + DECLARED_TABLE);
            }
        }
        Map<String, ColumnSchema> byName = new HashMap<>();
        for (ColumnSchema c : modelColumns) {
            byName.put(c.name().toLowerCase(Locale.ROOT), c);
        }
        List<String> missing = new ArrayList<>();
        Set<String> declaredNames = new HashSet<>();
        for (ColumnSchema c : schema.columns()) {
            declaredNames.add(c.name().toLowerCase(Locale.ROOT));
            if (!byName.containsKey(c.name().toLowerCase(Locale.ROOT))) {
                missing.add(c.name());
            }
        }
        List<String> extra = new ArrayList<>();
        for (ColumnSchema c : modelColumns) {
            if (!declaredNames.contains(c.name().toLowerCase(Locale.ROOT))) {
                extra.add(c.name());
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw ModelAnalyzer.problem(
                    model,
                    OtterModelException.Problem.OUTPUT_SCHEMA,
                    "does not match its declared output schema: "
                            + (missing.isEmpty()
                                    ? ""
                                    : "declared but not selected: " + missing + "; ")
                            + (extra.isEmpty() ? "" : "selected but not declared: " + extra),
                    null);
        }
        return schema.columns();
    }
}
