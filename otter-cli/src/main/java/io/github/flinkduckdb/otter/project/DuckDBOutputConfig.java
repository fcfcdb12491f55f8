package io.github.flinkduckdb.otter.project;

import java.io.Serializable;
import java.util.Map;

/**
 * DuckDB output ({@code sinks.duckdb}) through the project's {@code DuckDBSink}: one table per
 * model, created from the model's output schema when missing.
 *
 * @param url {@code jdbc:duckdb:/abs/path.duckdb} or {@code jdbc:duckdb:md:<database>}
 * @param token the MotherDuck token, or null (then DuckDB reads {@code motherduck_token}); never
 *     printed
 * @param tables table per model (default: the model name)
 * @param createTables whether missing tables are created from the models' output schemas
 * @param guarantee the delivery guarantee
 * @param releaseBetweenCommits whether the file is closed after each commit, so other processes can
 *     read it while the project runs
 * @param memoryLimit DuckDB's {@code memory_limit} for the sink's connections, e.g. {@code 512MB}
 */
public record DuckDBOutputConfig(
        String url,
        String token,
        Map<String, String> tables,
        boolean createTables,
        Guarantee guarantee,
        boolean releaseBetweenCommits,
        String memoryLimit)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** {@code exactly-once}, {@code at-least-once}, {@code none}. */
    public enum Guarantee {
        EXACTLY_ONCE("exactly-once"),
        AT_LEAST_ONCE("at-least-once"),
        NONE("none");

        private final String text;

        Guarantee(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public DuckDBOutputConfig {
        tables = Map.copyOf(tables);
    }

    public String table(String model) {
        return tables.getOrDefault(model, model);
    }

    public boolean isMotherDuck() {
        return url.startsWith("jdbc:duckdb:md:");
    }

    /** The URL for messages; MotherDuck URLs may carry a token parameter, which is cut off. */
    public String describe() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }

    @Override
    public String toString() {
        return "DuckDBOutputConfig{url="
                + describe()
                + ", token="
                + (token == null ? "none" : Secrets.MASK)
                + ", tables="
                + tables
                + ", createTables="
                + createTables
                + ", guarantee="
                + guarantee.text()
                + ", releaseBetweenCommits="
                + releaseBetweenCommits
                + ", memoryLimit="
                + memoryLimit
                + "}";
    }
}
