package io.github.flinkduckdb.otter.internal.analysis;

import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;

/**
 * Checks that a model's text is exactly one SELECT statement; a syntax error names its line and
 * column and shows the line with a caret under the position DuckDB's parser reported.
 */
final class ModelStatementCheck {

    private ModelStatementCheck() {}

    static void check(OtterModel model, SqlTree tree) {
        if (tree.isError()) {
            if ("parser".equalsIgnoreCase(tree.errorType())) {
                int position = tree.errorPosition();
                int[] lineColumn = lineAndColumn(model.sql(), position);
                StringBuilder message =
                        new StringBuilder("Model ")
                                .append(model.describe())
                                .append(" has a syntax error");
                if (lineColumn != null) {
                    message.append(" at line ")
                            .append(lineColumn[0])
                            .append(", column ")
                            .append(lineColumn[1]);
                }
                message.append(": ").append(tree.errorMessage());
                if (lineColumn != null) {
                    message.append('\n').append(caret(model.sql(), lineColumn[0], lineColumn[1]));
                }
                throw new OtterModelException(
                        model.name(),
                        OtterModelException.Problem.SYNTAX_ERROR,
                        message.toString(),
                        lineColumn == null ? -1 : lineColumn[0],
                        lineColumn == null ? -1 : lineColumn[1],
                        tree.errorMessage(),
                        null);
            }
            throw new OtterModelException(
                    model.name(),
                    OtterModelException.Problem.NOT_A_SELECT,
                    "Model "
                            + model.describe()
                            + " is not a SELECT statement: a model is one DuckDB SELECT over the"
                            + " table incoming (DuckDB: "
                            + tree.errorMessage()
                            + ")",
                    -1,
                    -1,
                    tree.errorMessage(),
                    null);
        }
        if (tree.statementCount() == 0) {
            throw new OtterModelException(
                    model.name(),
                    OtterModelException.Problem.EMPTY,
                    "Model " + model.describe() + " is empty: write one SELECT over incoming",
                    -1,
                    -1,
                    null,
                    null);
        }
        if (tree.statementCount() > 1) {
            throw new OtterModelException(
                    model.name(),
                    OtterModelException.Problem.MULTIPLE_STATEMENTS,
                    "Model "
                            + model.describe()
                            + " has "
                            + tree.statementCount()
                            + " statements; a model is exactly one SELECT",
                    -1,
                    -1,
                    null,
                    null);
        }
    }

    /** 1-based line and column of a character offset, or null when out of range. */
    static int[] lineAndColumn(String sql, int position) {
        if (position < 0 || position > sql.length()) {
            return null;
        }
        int line = 1;
        int column = 1;
        for (int i = 0; i < position; i++) {
            if (sql.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }

    private static String caret(String sql, int line, int column) {
        String[] lines = sql.split("\n", -1);
        String text = line - 1 < lines.length ? lines[line - 1].replace('\t', ' ') : "";
        StringBuilder sb = new StringBuilder("    ").append(text).append('\n').append("    ");
        for (int i = 1; i < column; i++) {
            sb.append(' ');
        }
        return sb.append('^').toString();
    }
}
