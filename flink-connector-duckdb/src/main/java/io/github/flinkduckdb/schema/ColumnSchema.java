package io.github.flinkduckdb.schema;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;

/** One column of a DuckDB table: name, type, nullability and default expression. */
@PublicEvolving
public final class ColumnSchema implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final DuckDBType type;
    private final boolean nullable;
    private final String defaultExpression;

    public ColumnSchema(String name, DuckDBType type, boolean nullable, String defaultExpression) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A column name must not be empty");
        }
        this.name = name;
        this.type = Objects.requireNonNull(type, "type");
        this.nullable = nullable;
        this.defaultExpression = defaultExpression;
    }

    public static ColumnSchema of(String name, DuckDBType type) {
        return new ColumnSchema(name, type, true, null);
    }

    public String name() {
        return name;
    }

    public DuckDBType type() {
        return type;
    }

    public boolean nullable() {
        return nullable;
    }

    public Optional<String> defaultExpression() {
        return Optional.ofNullable(defaultExpression);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ColumnSchema)) {
            return false;
        }
        ColumnSchema that = (ColumnSchema) o;
        return name.equals(that.name)
                && type.equals(that.type)
                && nullable == that.nullable
                && Objects.equals(defaultExpression, that.defaultExpression);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, nullable, defaultExpression);
    }

    @Override
    public String toString() {
        return SqlIdentifiers.quote(name) + " " + type.toSql() + (nullable ? "" : " NOT NULL");
    }
}
