package io.github.flinkduckdb.table;

import io.github.flinkduckdb.source.DuckDBPredicate;
import io.github.flinkduckdb.source.DuckDBScanQuery;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Translates Flink filter expressions into DuckDB conditions for filter push-down: comparisons
 * ({@code = <> < <= > >=}) between columns and literals, {@code IS [NOT] NULL}, {@code IN}, {@code
 * AND}, {@code OR}, {@code NOT}, boolean columns, and {@code LIKE} without an {@code ESCAPE} clause
 * (neither Flink nor DuckDB has a default escape character, so a backslash is an ordinary character
 * to both; tested). Anything else stays in Flink. Columns are compared in their declared Flink type
 * (the same cast the scan reads them with); literals are bound as parameters.
 */
@Internal
final class DuckDBFilters {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS");

    private static final Map<FunctionDefinition, String> COMPARISONS = new HashMap<>();

    static {
        COMPARISONS.put(BuiltInFunctionDefinitions.EQUALS, "=");
        COMPARISONS.put(BuiltInFunctionDefinitions.NOT_EQUALS, "<>");
        COMPARISONS.put(BuiltInFunctionDefinitions.LESS_THAN, "<");
        COMPARISONS.put(BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL, "<=");
        COMPARISONS.put(BuiltInFunctionDefinitions.GREATER_THAN, ">");
        COMPARISONS.put(BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL, ">=");
    }

    private final Map<String, LogicalType> columnTypes;

    /**
     * @param columnTypes the table's physical columns by name
     */
    DuckDBFilters(Map<String, LogicalType> columnTypes) {
        this.columnTypes = columnTypes;
    }

    /** The DuckDB condition for {@code e}, or empty when it must stay in Flink. */
    Optional<DuckDBPredicate> translate(ResolvedExpression e) {
        List<Serializable> values = new ArrayList<>();
        String sql = sql(e, values);
        return sql == null ? Optional.empty() : Optional.of(new DuckDBPredicate(sql, values));
    }

    private String sql(ResolvedExpression e, List<Serializable> values) {
        if (e instanceof FieldReferenceExpression) {
            FieldReferenceExpression f = (FieldReferenceExpression) e;
            LogicalType t = columnTypes.get(f.getName());
            return t != null && t.getTypeRoot() == LogicalTypeRoot.BOOLEAN ? column(f) : null;
        }
        if (!(e instanceof CallExpression)) {
            return null;
        }
        CallExpression call = (CallExpression) e;
        FunctionDefinition fn = call.getFunctionDefinition();
        List<ResolvedExpression> args = call.getResolvedChildren();
        if (fn == BuiltInFunctionDefinitions.AND || fn == BuiltInFunctionDefinitions.OR) {
            String op = fn == BuiltInFunctionDefinitions.AND ? " AND " : " OR ";
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < args.size(); i++) {
                String part = sql(args.get(i), values);
                if (part == null) {
                    return null;
                }
                sb.append(i > 0 ? op : "").append(part);
            }
            return sb.append(')').toString();
        }
        if (fn == BuiltInFunctionDefinitions.NOT && args.size() == 1) {
            String inner = sql(args.get(0), values);
            return inner == null ? null : "(NOT " + inner + ")";
        }
        if ((fn == BuiltInFunctionDefinitions.IS_NULL
                        || fn == BuiltInFunctionDefinitions.IS_NOT_NULL)
                && args.size() == 1
                && args.get(0) instanceof FieldReferenceExpression) {
            String col = column((FieldReferenceExpression) args.get(0));
            return col == null
                    ? null
                    : "("
                            + col
                            + (fn == BuiltInFunctionDefinitions.IS_NULL
                                    ? " IS NULL)"
                                    : " IS NOT NULL)");
        }
        String comparison = COMPARISONS.get(fn);
        if (comparison != null && args.size() == 2) {
            String left = operand(args.get(0), values);
            if (left == null) {
                return null;
            }
            String right = operand(args.get(1), values);
            if (right == null) {
                return null;
            }
            if (!(args.get(0) instanceof FieldReferenceExpression)
                    && !(args.get(1) instanceof FieldReferenceExpression)) {
                return null;
            }
            return "(" + left + " " + comparison + " " + right + ")";
        }
        if (fn == BuiltInFunctionDefinitions.IN
                && args.size() >= 2
                && args.get(0) instanceof FieldReferenceExpression) {
            String col = column((FieldReferenceExpression) args.get(0));
            if (col == null) {
                return null;
            }
            StringBuilder sb = new StringBuilder("(").append(col).append(" IN (");
            for (int i = 1; i < args.size(); i++) {
                if (!(args.get(i) instanceof ValueLiteralExpression)) {
                    return null;
                }
                String lit = literal((ValueLiteralExpression) args.get(i), values);
                if (lit == null) {
                    return null;
                }
                sb.append(i > 1 ? ", " : "").append(lit);
            }
            return sb.append("))").toString();
        }
        if (fn == BuiltInFunctionDefinitions.LIKE
                && args.size() == 2
                && args.get(0) instanceof FieldReferenceExpression
                && args.get(1) instanceof ValueLiteralExpression) {
            FieldReferenceExpression f = (FieldReferenceExpression) args.get(0);
            LogicalType t = columnTypes.get(f.getName());
            Optional<String> pattern =
                    ((ValueLiteralExpression) args.get(1)).getValueAs(String.class);
            if (t == null
                    || !(t.getTypeRoot() == LogicalTypeRoot.VARCHAR
                            || t.getTypeRoot() == LogicalTypeRoot.CHAR)
                    || !pattern.isPresent()) {
                return null;
            }
            values.add(pattern.get());
            return "(" + column(f) + " LIKE CAST(? AS VARCHAR))";
        }
        return null;
    }

    private String operand(ResolvedExpression e, List<Serializable> values) {
        if (e instanceof FieldReferenceExpression) {
            return column((FieldReferenceExpression) e);
        }
        if (e instanceof ValueLiteralExpression) {
            return literal((ValueLiteralExpression) e, values);
        }
        return null;
    }

    private String column(FieldReferenceExpression f) {
        LogicalType t = columnTypes.get(f.getName());
        if (t == null || !comparable(t)) {
            return null;
        }
        return DuckDBScanQuery.columnExpression(f.getName(), t);
    }

    private static boolean comparable(LogicalType t) {
        switch (t.getTypeRoot()) {
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
            case DECIMAL:
            case CHAR:
            case VARCHAR:
            case DATE:
            case TIME_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return true;
            default:
                return false;
        }
    }

    /** {@code CAST(? AS type)} with the literal's value appended to {@code values}. */
    private static String literal(ValueLiteralExpression lit, List<Serializable> values) {
        if (lit.isNull()) {
            return null;
        }
        LogicalType t = lit.getOutputDataType().getLogicalType();
        Serializable value;
        String type;
        switch (t.getTypeRoot()) {
            case BOOLEAN:
                value = lit.getValueAs(Boolean.class).orElse(null);
                type = "BOOLEAN";
                break;
            case TINYINT:
            case SMALLINT:
            case INTEGER:
                value = lit.getValueAs(Number.class).map(Number::intValue).orElse(null);
                type = "INTEGER";
                break;
            case BIGINT:
                value = lit.getValueAs(Long.class).orElse(null);
                type = "BIGINT";
                break;
            case FLOAT:
                value = lit.getValueAs(Float.class).map(Float::doubleValue).orElse(null);
                type = "FLOAT";
                break;
            case DOUBLE:
                value = lit.getValueAs(Double.class).orElse(null);
                type = "DOUBLE";
                break;
            case DECIMAL:
                {
                    DecimalType d = (DecimalType) t;
                    value = lit.getValueAs(BigDecimal.class).orElse(null);
                    type = "DECIMAL(" + d.getPrecision() + "," + d.getScale() + ")";
                    break;
                }
            case CHAR:
            case VARCHAR:
                value = lit.getValueAs(String.class).orElse(null);
                type = "VARCHAR";
                break;
            case DATE:
                value = lit.getValueAs(LocalDate.class).map(LocalDate::toString).orElse(null);
                type = "DATE";
                break;
            case TIME_WITHOUT_TIME_ZONE:
                value = lit.getValueAs(LocalTime.class).map(LocalTime::toString).orElse(null);
                type = "TIME";
                break;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                value =
                        lit.getValueAs(LocalDateTime.class)
                                .map(v -> v.format(TIMESTAMP))
                                .orElse(null);
                type = "TIMESTAMP_NS";
                break;
            default:
                return null;
        }
        if (value == null) {
            return null;
        }
        values.add(value);
        return "CAST(? AS " + type + ")";
    }
}
