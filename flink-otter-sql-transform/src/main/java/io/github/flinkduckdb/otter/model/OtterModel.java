package io.github.flinkduckdb.otter.model;

import org.apache.flink.annotation.PublicEvolving;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An Otter model: a DuckDB {@code SELECT} over the one-row table {@code incoming}, with a name (the
 * file name without {@code .sql} when it comes from a file). The name identifies the model's
 * output, its metrics and its dead-letter records.
 */
@PublicEvolving
public final class OtterModel implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_\\-]*");

    private final String name;
    private final String sql;
    private final String origin;

    private OtterModel(String name, String sql, String origin) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "Model name '"
                            + name
                            + "'"
                            + (origin == null ? "" : " (" + origin + ")")
                            + " is not valid: use letters, digits, '_' and '-', e.g. orders");
        }
        if (sql == null) {
            throw new IllegalArgumentException("Model '" + name + "' has no SQL");
        }
        this.name = name;
        this.sql = sql;
        this.origin = origin;
    }

    /** A model given in code. */
    public static OtterModel of(String name, String sql) {
        return new OtterModel(name, sql, null);
    }

    /**
     * A model read from a {@code .sql} file (UTF-8); its name is the file name without {@code
     * .sql}.
     */
    public static OtterModel fromFile(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        String name =
                fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".sql")
                        ? fileName.substring(0, fileName.length() - 4)
                        : fileName;
        String sql = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        return new OtterModel(name, sql, file.toString());
    }

    public String name() {
        return name;
    }

    /** The model's SQL as written. */
    public String sql() {
        return sql;
    }

    /** The file the model was read from, if any. */
    public Optional<String> origin() {
        return Optional.ofNullable(origin);
    }

    /** {@code 'orders'} or {@code 'orders' (models/orders.sql)}: how messages name the model. */
    public String describe() {
        return "'" + name + "'" + (origin == null ? "" : " (" + origin + ")");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OtterModel)) {
            return false;
        }
        OtterModel that = (OtterModel) o;
        return name.equals(that.name)
                && sql.equals(that.sql)
                && Objects.equals(origin, that.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, sql, origin);
    }

    @Override
    public String toString() {
        return "OtterModel" + describe();
    }
}
