package io.github.flinkduckdb.otter.project;

import java.util.Optional;

/**
 * A project configuration that cannot be used. The message starts with where the problem is, as
 * compilers do: {@code config/sources.yml:7:9: source.port: expected a whole number, got "abc"}.
 * File, key and line are also available separately for tools.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final String key;
    private final int line;
    private final int column;
    private final String problem;

    public ConfigException(String file, String key, int line, int column, String problem) {
        this(file, key, line, column, problem, null);
    }

    public ConfigException(
            String file, String key, int line, int column, String problem, Throwable cause) {
        super(format(file, key, line, column, problem), cause);
        this.file = file;
        this.key = key;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    static String format(String file, String key, int line, int column, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
            if (line > 0) {
                sb.append(':').append(line);
                if (column > 0) {
                    sb.append(':').append(column);
                }
            }
            sb.append(": ");
        }
        if (key != null && !key.isEmpty()) {
            sb.append(key).append(": ");
        }
        sb.append(problem);
        return sb.toString();
    }

    /** The file as the user named it (relative to the project where possible). */
    public Optional<String> file() {
        return Optional.ofNullable(file);
    }

    /** The dotted key, e.g. {@code source.port}; empty for problems of a whole file. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** The 1-based line, or -1 when unknown. */
    public int line() {
        return line;
    }

    /** The 1-based column, or -1 when unknown. */
    public int column() {
        return column;
    }

    /** The problem without the location. */
    public String problem() {
        return problem;
    }
}
