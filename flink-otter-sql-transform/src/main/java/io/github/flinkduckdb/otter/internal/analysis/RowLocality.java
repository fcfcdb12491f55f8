package io.github.flinkduckdb.otter.internal.analysis;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.github.flinkduckdb.otter.internal.analysis.SqlTree.notNull;

/**
 * Whether a model is row-local (its rows for a message depend on that message alone, so a batch of
 * messages can run in one query), and why not, decided on its parse tree.
 *
 * <p>Conservatively: a model is row-local only when its top-level query is a plain SELECT whose
 * FROM starts with the one reference to {@code incoming} (joined only inner/left/semi/anti,
 * laterally or with relations that do not read {@code incoming}), without DISTINCT, LIMIT/OFFSET,
 * ORDER BY, GROUP BY, HAVING, QUALIFY, sampling, aggregates or window functions at the top level,
 * and without any other reference to {@code incoming} (in a subquery or CTE). Everything else runs
 * once per message.
 */
final class RowLocality {

    private static final RowLocality ROW_LOCAL = new RowLocality(true, null);

    private final boolean rowLocal;
    private final String reason;

    private RowLocality(boolean rowLocal, String reason) {
        this.rowLocal = rowLocal;
        this.reason = reason;
    }

    private static RowLocality perMessage(String reason) {
        return new RowLocality(false, reason);
    }

    boolean isRowLocal() {
        return rowLocal;
    }

    /** Why the model runs per message; null when row-local. */
    String reason() {
        return reason;
    }

    /**
     * Decides whether the model of {@code tree} is row-local (see the class comment).
     *
     * @param aggregates lower-case names of DuckDB's aggregate functions
     */
    static RowLocality of(SqlTree tree, Set<String> aggregates) {
        SqlTree.References refs = tree.references();
        if (refs.incomingReferences() == 0) {
            return perMessage("it does not read incoming");
        }
        if (refs.incomingReferences() > 1) {
            return perMessage("it reads incoming more than once (subquery, CTE or join)");
        }
        JsonNode node = tree.topNode();
        String type = node.path("type").asText();
        if ("SET_OPERATION_NODE".equals(type)) {
            return perMessage("it is a set operation (" + node.path("setop_type").asText() + ")");
        }
        if (!"SELECT_NODE".equals(type)) {
            return perMessage("its top-level query is a " + type);
        }
        for (JsonNode modifier : node.path("modifiers")) {
            String m = modifier.path("type").asText();
            switch (m) {
                case "DISTINCT_MODIFIER":
                    return perMessage("it uses DISTINCT");
                case "LIMIT_MODIFIER":
                case "LIMIT_PERCENT_MODIFIER":
                    return perMessage("it uses LIMIT/OFFSET");
                case "ORDER_MODIFIER":
                    return perMessage("it uses ORDER BY, which would sort across messages");
                default:
                    return perMessage("it uses " + m);
            }
        }
        if (node.path("group_expressions").size() > 0 || node.path("group_sets").size() > 0) {
            return perMessage("it uses GROUP BY");
        }
        if (!"STANDARD_HANDLING".equals(node.path("aggregate_handling").asText())) {
            return perMessage("it uses GROUP BY ALL");
        }
        if (notNull(node.path("having"))) {
            return perMessage("it uses HAVING");
        }
        if (notNull(node.path("qualify"))) {
            return perMessage("it uses QUALIFY");
        }
        if (notNull(node.path("sample"))) {
            return perMessage("it uses USING SAMPLE");
        }
        JsonNode from = node.path("from_table");
        String fromProblem = checkFrom(from);
        if (fromProblem != null) {
            return perMessage(fromProblem);
        }
        String exprProblem = checkExpressions(node.path("select_list"), aggregates);
        if (exprProblem == null) {
            exprProblem = checkExpressions(node.path("where_clause"), aggregates);
        }
        if (exprProblem != null) {
            return perMessage(exprProblem);
        }
        return ROW_LOCAL;
    }

    /** The FROM clause must start with incoming and join only in row-preserving ways. */
    private static String checkFrom(JsonNode from) {
        String sampled = findSample(from);
        if (sampled != null) {
            return sampled;
        }
        JsonNode current = from;
        while ("JOIN".equals(current.path("type").asText())) {
            String refType = current.path("ref_type").asText();
            String joinType = current.path("join_type").asText();
            if (!("REGULAR".equals(refType)
                    || "CROSS".equals(refType)
                    || "NATURAL".equals(refType))) {
                return "it uses a " + refType + " join";
            }
            if (!("INNER".equals(joinType)
                    || "LEFT".equals(joinType)
                    || "SEMI".equals(joinType)
                    || "ANTI".equals(joinType))) {
                return "it uses a " + joinType + " join";
            }
            if (containsIncoming(current.path("right"))) {
                return "incoming is not the first relation of its FROM clause";
            }
            current = current.path("left");
        }
        if (!"BASE_TABLE".equals(current.path("type").asText())
                || !SqlTree.INCOMING.equalsIgnoreCase(current.path("table_name").asText())) {
            return "incoming is not the first relation of its FROM clause";
        }
        return null;
    }

    private static boolean containsIncoming(JsonNode tableRef) {
        if (tableRef == null || !tableRef.isObject()) {
            return false;
        }
        String type = tableRef.path("type").asText();
        if ("BASE_TABLE".equals(type)) {
            return SqlTree.INCOMING.equalsIgnoreCase(tableRef.path("table_name").asText());
        }
        if ("JOIN".equals(type)) {
            return containsIncoming(tableRef.path("left"))
                    || containsIncoming(tableRef.path("right"));
        }
        return false;
    }

    private static String findSample(JsonNode tableRef) {
        if (tableRef == null || !tableRef.isObject()) {
            return null;
        }
        if (notNull(tableRef.path("sample"))) {
            return "it samples a relation (USING SAMPLE / TABLESAMPLE)";
        }
        String type = tableRef.path("type").asText();
        if ("PIVOT".equals(type)) {
            return "it uses PIVOT";
        }
        if ("JOIN".equals(type)) {
            String left = findSample(tableRef.path("left"));
            return left != null ? left : findSample(tableRef.path("right"));
        }
        return null;
    }

    /** Aggregates and window functions at this query level (not inside subqueries). */
    private static String checkExpressions(JsonNode node, Set<String> aggregates) {
        if (node == null) {
            return null;
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                String p = checkExpressions(child, aggregates);
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        if (!node.isObject()) {
            return null;
        }
        String cls = node.path("class").asText("");
        if ("WINDOW".equals(cls)) {
            return "it uses the window function " + node.path("function_name").asText();
        }
        if ("FUNCTION".equals(cls)) {
            String name = node.path("function_name").asText("").toLowerCase(Locale.ROOT);
            boolean aggregate =
                    aggregates.contains(name)
                            || node.path("distinct").asBoolean(false)
                            || node.path("export_state").asBoolean(false)
                            || notNull(node.path("filter"))
                            || node.path("order_bys").path("orders").size() > 0;
            if (aggregate) {
                return "it uses the aggregate " + name;
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if ("SUBQUERY".equals(cls) && "subquery".equals(field.getKey())) {
                // A subquery is its own query level; it does not read incoming (checked above),
                // so it is evaluated per outer row.
                continue;
            }
            String p = checkExpressions(field.getValue(), aggregates);
            if (p != null) {
                return p;
            }
        }
        return null;
    }
}
