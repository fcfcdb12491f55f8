package io.github.flinkduckdb.otter.internal.analysis;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether a model may yield more than one row for one message, decided on its parse tree, and why.
 *
 * <p>A model yields at most one row per message when its query is a plain SELECT whose FROM is
 * {@code incoming} alone (no join, table function, subquery or CTE) and whose select list calls no
 * set-returning function ({@code unnest}, {@code generate_subscripts}) outside a subquery. Every
 * other model may yield several, e.g. {@code FROM incoming, unnest(incoming.items)} (one row per
 * item). Conservative: some flagged models yield one row (an {@code unnest} of a STRUCT expands
 * columns, not rows).
 */
final class RowsPerMessage {

    private static final Set<String> SET_RETURNING = Set.of("unnest", "generate_subscripts");

    private RowsPerMessage() {}

    /** Why the model may yield several rows per message; null when it yields at most one. */
    static String severalRowsReason(SqlTree tree) {
        JsonNode node = tree.topNode();
        String type = node.path("type").asText();
        if ("SET_OPERATION_NODE".equals(type)) {
            return "it is a set operation (" + node.path("setop_type").asText() + ")";
        }
        if (!"SELECT_NODE".equals(type)) {
            return "its top-level query is a " + type;
        }
        String from = fromReason(node.path("from_table"));
        if (from != null) {
            return from;
        }
        String function = setReturningCall(node.path("select_list"));
        if (function != null) {
            return "it calls " + function + " in its select list";
        }
        return null;
    }

    private static String fromReason(JsonNode from) {
        String type = from.path("type").asText();
        switch (type) {
            case "BASE_TABLE":
                String name = from.path("table_name").asText();
                boolean qualified =
                        !from.path("schema_name").asText("").isEmpty()
                                || !from.path("catalog_name").asText("").isEmpty();
                return !qualified && SqlTree.INCOMING.equalsIgnoreCase(name)
                        ? null
                        : "it reads " + name + ", not incoming alone";
            case "TABLE_FUNCTION":
                return "it reads the table function " + functionName(from);
            case "JOIN":
                String function = tableFunctionIn(from);
                return function != null
                        ? "it reads the table function " + function
                        : "it joins incoming with another relation";
            default:
                return "its FROM clause is a " + type;
        }
    }

    /** The first table function of a join tree, or null. */
    private static String tableFunctionIn(JsonNode ref) {
        String type = ref.path("type").asText();
        if ("TABLE_FUNCTION".equals(type)) {
            return functionName(ref);
        }
        if ("JOIN".equals(type)) {
            String left = tableFunctionIn(ref.path("left"));
            return left != null ? left : tableFunctionIn(ref.path("right"));
        }
        return null;
    }

    private static String functionName(JsonNode tableFunction) {
        return tableFunction
                .path("function")
                .path("function_name")
                .asText()
                .toLowerCase(Locale.ROOT);
    }

    /** The first set-returning function called in {@code node}, not entering subqueries. */
    private static String setReturningCall(JsonNode node) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                String found = setReturningCall(child);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (!node.isObject()) {
            return null;
        }
        String cls = node.path("class").asText("");
        if ("SUBQUERY".equals(cls)) {
            // A scalar subquery yields one value, whatever it unnests inside.
            return null;
        }
        if ("FUNCTION".equals(cls)) {
            String name = node.path("function_name").asText().toLowerCase(Locale.ROOT);
            if (SET_RETURNING.contains(name)) {
                return name;
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            String found = setReturningCall(fields.next().getValue());
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
