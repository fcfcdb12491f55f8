package io.github.flinkduckdb.source;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A SQL condition with {@code ?} placeholders and the values bound to them, in order. Values are
 * never written into the SQL text.
 */
@Internal
public final class DuckDBPredicate implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String sql;
    private final List<Serializable> values;

    public DuckDBPredicate(String sql, List<? extends Serializable> values) {
        this.sql = Objects.requireNonNull(sql);
        this.values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    public static DuckDBPredicate of(String sql) {
        return new DuckDBPredicate(sql, Collections.<Serializable>emptyList());
    }

    public String sql() {
        return sql;
    }

    public List<Serializable> values() {
        return values;
    }

    /** Both conditions, values in order. */
    public static DuckDBPredicate and(List<DuckDBPredicate> parts) {
        if (parts.isEmpty()) {
            return null;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        StringBuilder sb = new StringBuilder();
        List<Serializable> values = new ArrayList<>();
        for (DuckDBPredicate p : parts) {
            if (sb.length() > 0) {
                sb.append(" AND ");
            }
            sb.append('(').append(p.sql).append(')');
            values.addAll(p.values);
        }
        return new DuckDBPredicate(sb.toString(), values);
    }

    /** Binds the values from parameter index {@code first} on; returns the next free index. */
    public int bind(PreparedStatement ps, int first) throws SQLException {
        int i = first;
        for (Serializable v : values) {
            ps.setObject(i++, v);
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DuckDBPredicate
                && sql.equals(((DuckDBPredicate) o).sql)
                && values.equals(((DuckDBPredicate) o).values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sql, values);
    }

    @Override
    public String toString() {
        return sql + " " + values;
    }
}
