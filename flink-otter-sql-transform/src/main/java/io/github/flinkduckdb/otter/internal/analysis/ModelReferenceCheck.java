package io.github.flinkduckdb.otter.internal.analysis;

import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;

/**
 * Checks what a model reads, on its parse tree: only {@code incoming} (unqualified) and its own
 * CTEs; no files, URLs, other tables, SQL-running table functions, {@code rowid} or parameters.
 */
final class ModelReferenceCheck {

    private ModelReferenceCheck() {}

    static void check(OtterModel model, SqlTree.References refs) {
        if (!refs.unsupportedTableRefs().isEmpty()) {
            throw ModelAnalyzer.problem(
                    model,
                    OtterModelException.Problem.UNSUPPORTED,
                    "uses "
                            + String.join(", ", refs.unsupportedTableRefs())
                            + " in its FROM clause, which models do not support",
                    null);
        }
        for (String cte : refs.cteNames()) {
            if (SqlTree.INCOMING.equalsIgnoreCase(cte)) {
                throw ModelAnalyzer.problem(
                        model,
                        OtterModelException.Problem.FORBIDDEN_TABLE,
                        "defines a CTE named incoming, which would hide the incoming table;"
                                + " rename the CTE",
                        null);
            }
        }
        for (String table : refs.otherTables()) {
            if (refs.fileTables().contains(table)) {
                throw ModelAnalyzer.problem(
                        model,
                        OtterModelException.Problem.EXTERNAL_ACCESS,
                        "reads '"
                                + table
                                + "'; a model reads only the table incoming, not files, URLs or"
                                + " other databases",
                        null);
            }
            throw ModelAnalyzer.problem(
                    model,
                    OtterModelException.Problem.FORBIDDEN_TABLE,
                    "reads the table '"
                            + table
                            + "'; a model reads only the table incoming (unqualified) and its own"
                            + " CTEs",
                    null);
        }
        for (String function : refs.tableFunctions()) {
            if (SqlTree.SQL_RUNNING_TABLE_FUNCTIONS.contains(function)) {
                throw ModelAnalyzer.problem(
                        model,
                        OtterModelException.Problem.FORBIDDEN_TABLE,
                        "uses the table function "
                                + function
                                + ", which runs SQL text; a model reads only incoming",
                        null);
            }
        }
        if (refs.usesRowId()) {
            throw ModelAnalyzer.problem(
                    model,
                    OtterModelException.Problem.UNSUPPORTED,
                    "uses rowid, which identifies nothing about a message; select the message's"
                            + " own fields",
                    null);
        }
        if (refs.hasParameters()) {
            throw ModelAnalyzer.problem(
                    model,
                    OtterModelException.Problem.PARAMETERS,
                    "has query parameters (? or $n); models take no parameters",
                    null);
        }
    }
}
