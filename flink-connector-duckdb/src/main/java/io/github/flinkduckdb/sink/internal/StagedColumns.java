package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.Internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns a flush or seal moves out of the staging table, with the expressions that turn staged
 * values into target values. A column whose default only the target can evaluate (e.g. {@code
 * nextval('seq')}) is left out when no staged row set it, so the target fills it.
 */
@Internal
public final class StagedColumns {

    private final List<ColumnSchema> columns = new ArrayList<>();
    private final List<String> quotedNames = new ArrayList<>();
    private final List<String> expressions = new ArrayList<>();

    private StagedColumns() {}

    /**
     * @param castInStaging whether casts back from text run here (true) or must be left to the
     *     target database (false for types only the target knows)
     */
    public static StagedColumns of(StagingTable staging, boolean castInStaging)
            throws SQLException {
        StagedColumns out = new StagedColumns();
        List<ColumnPlan> plans = staging.plans();
        List<Integer> targetDefaultOnly = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            ColumnPlan p = plans.get(i);
            if (p.target().defaultExpression().isPresent() && !staging.hasStagedDefault(i)) {
                targetDefaultOnly.add(i);
            }
        }
        boolean[] omit = new boolean[plans.size()];
        if (!targetDefaultOnly.isEmpty()) {
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int k = 0; k < targetDefaultOnly.size(); k++) {
                if (k > 0) {
                    sql.append(", ");
                }
                sql.append("count(")
                        .append(plans.get(targetDefaultOnly.get(k)).quotedName())
                        .append(')');
            }
            sql.append(" FROM ").append(staging.qualifiedName());
            try (Statement st = staging.connection().createStatement();
                    ResultSet rs = st.executeQuery(sql.toString())) {
                rs.next();
                for (int k = 0; k < targetDefaultOnly.size(); k++) {
                    omit[targetDefaultOnly.get(k)] = rs.getLong(k + 1) == 0;
                }
            }
        }
        for (int i = 0; i < plans.size(); i++) {
            if (omit[i]) {
                continue;
            }
            ColumnPlan p = plans.get(i);
            String ref = "s." + p.quotedName();
            boolean cast = castInStaging ? p.castableOutsideTarget() : true;
            String expr = cast ? p.selectExpression(ref) : ref;
            ColumnSchema staged =
                    cast || p.mode() == ColumnPlan.Mode.NATIVE
                            ? p.target()
                            : new ColumnSchema(
                                    p.name(),
                                    io.github.flinkduckdb.schema.DuckDBType.of(
                                            io.github.flinkduckdb.schema.DuckDBType.Id.VARCHAR),
                                    true,
                                    null);
            out.columns.add(staged);
            out.quotedNames.add(SqlIdentifiers.quote(p.name()));
            out.expressions.add(expr);
        }
        return out;
    }

    /** The target columns moved, with the type they have after the expressions. */
    public List<ColumnSchema> columns() {
        return columns;
    }

    public List<String> quotedNames() {
        return quotedNames;
    }

    /** One expression over alias {@code s} per column. */
    public List<String> expressions() {
        return expressions;
    }

    /** {@code expr AS "name", ...} for a SELECT that renames to target names. */
    public String selectList() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < expressions.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(expressions.get(i)).append(" AS ").append(quotedNames.get(i));
        }
        return sb.toString();
    }
}
