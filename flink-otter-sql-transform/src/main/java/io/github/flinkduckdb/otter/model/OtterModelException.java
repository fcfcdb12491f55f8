package io.github.flinkduckdb.otter.model;

import org.apache.flink.annotation.PublicEvolving;

import java.util.Optional;

/**
 * A model that cannot run, found when the transform is built: not a SELECT, a syntax error (with
 * line and column), a table other than {@code incoming}, file or network access, a column that does
 * not exist in the incoming schema, an output schema that does not match. The message names the
 * model (and its file) and carries DuckDB's own message where DuckDB found the problem.
 */
@PublicEvolving
public class OtterModelException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the model. */
    public enum Problem {
        EMPTY,
        SYNTAX_ERROR,
        NOT_A_SELECT,
        MULTIPLE_STATEMENTS,
        PARAMETERS,
        FORBIDDEN_TABLE,
        EXTERNAL_ACCESS,
        UNSUPPORTED,
        BINDING,
        OUTPUT_SCHEMA,
        DUPLICATE_NAME
    }

    private final String model;
    private final Problem problem;
    private final int line;
    private final int column;
    private final String duckdbMessage;

    public OtterModelException(
            String model,
            Problem problem,
            String message,
            int line,
            int column,
            String duckdbMessage,
            Throwable cause) {
        super(message, cause);
        this.model = model;
        this.problem = problem;
        this.line = line;
        this.column = column;
        this.duckdbMessage = duckdbMessage;
    }

    /** The model's name. */
    public String model() {
        return model;
    }

    public Problem problem() {
        return problem;
    }

    /** The 1-based line of a syntax error, or -1. */
    public int line() {
        return line;
    }

    /** The 1-based column of a syntax error, or -1. */
    public int column() {
        return column;
    }

    /** DuckDB's message, when DuckDB reported the problem. */
    public Optional<String> duckdbMessage() {
        return Optional.ofNullable(duckdbMessage);
    }
}
