package io.github.flinkduckdb.otter.internal.analysis;

import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the by-message form of a model that is not row-local reads from its parse tree: the tree
 * with {@code incoming} replaced by one message's row, its top-level ORDER BY as output columns,
 * and whether the form could differ from a run on the message alone.
 */
final class ByMessageTree {

    private ByMessageTree() {}

    /**
     * The model as a tree for {@code json_deserialize_sql} with every reference to {@code incoming}
     * (at any depth: FROM clauses, joins, subqueries, CTEs; not a CTE of that name) replaced by a
     * copy of {@code replacement} under the reference's alias, e.g. the subquery of one message's
     * row of the batch table.
     *
     * @param replacement the tree of {@code SELECT * FROM (<subquery>) AS incoming}; its FROM
     *     clause is the replacement
     */
    static String withIncomingReplaced(SqlTree tree, SqlTree replacement) {
        ObjectNode copy = tree.copy();
        JsonNode from = replacement.topNode().path("from_table");
        replaceIncoming(
                ((ObjectNode) copy.path("statements").get(0)).path("node"),
                new ArrayDeque<>(),
                from);
        return copy.toString();
    }

    private static void replaceIncoming(JsonNode node, Deque<Set<String>> scopes, JsonNode from) {
        if (node == null || !(node.isObject() || node.isArray())) {
            return;
        }
        boolean queryNode = node.isObject() && SqlTree.isQueryNode(node);
        if (queryNode) {
            Set<String> names = new HashSet<>();
            for (JsonNode entry : node.path("cte_map").path("map")) {
                names.add(entry.path("key").asText().toLowerCase(Locale.ROOT));
            }
            scopes.push(names);
        }
        if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                JsonNode child = array.get(i);
                if (isIncomingReference(child, scopes)) {
                    array.set(i, replacement(child, from));
                } else {
                    replaceIncoming(child, scopes, from);
                }
            }
        } else {
            ObjectNode object = (ObjectNode) node;
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode child = object.get(key);
                if (isIncomingReference(child, scopes)) {
                    object.set(key, replacement(child, from));
                } else {
                    replaceIncoming(child, scopes, from);
                }
            }
        }
        if (queryNode) {
            scopes.pop();
        }
    }

    private static boolean isIncomingReference(JsonNode node, Deque<Set<String>> scopes) {
        return node != null
                && node.isObject()
                && SqlTree.isTableRef(node)
                && "BASE_TABLE".equals(node.path("type").asText())
                && node.path("schema_name").asText("").isEmpty()
                && node.path("catalog_name").asText("").isEmpty()
                && SqlTree.INCOMING.equalsIgnoreCase(node.path("table_name").asText())
                && !SqlTree.inScope(scopes, node.path("table_name").asText());
    }

    private static ObjectNode replacement(JsonNode reference, JsonNode from) {
        ObjectNode r = from.deepCopy();
        String alias = reference.path("alias").asText("");
        r.put("alias", alias.isEmpty() ? reference.path("table_name").asText() : alias);
        r.set("column_name_alias", reference.path("column_name_alias").deepCopy());
        return r;
    }

    /**
     * The top-level ORDER BY of the model as output columns, or null when a key is not an output
     * column (by name, position or the same expression as a select-list item) or the top level is
     * not a plain SELECT or set operation. Empty without ORDER BY.
     *
     * @param outputColumns the names of the model's output columns, in order
     */
    static List<OrderKey> topLevelOrder(SqlTree tree, List<String> outputColumns) {
        JsonNode node = tree.topNode();
        List<OrderKey> keys = new ArrayList<>();
        for (JsonNode modifier : node.path("modifiers")) {
            if (!"ORDER_MODIFIER".equals(modifier.path("type").asText())) {
                continue;
            }
            for (JsonNode order : modifier.path("orders")) {
                int column = outputColumn(node, order.path("expression"), outputColumns);
                if (column < 0) {
                    return null;
                }
                keys.add(
                        new OrderKey(
                                outputColumns.get(column),
                                order.path("type").asText(),
                                order.path("null_order").asText()));
            }
        }
        return keys;
    }

    private static int outputColumn(JsonNode node, JsonNode expression, List<String> outputs) {
        String cls = expression.path("class").asText();
        if ("CONSTANT".equals(cls)
                && "INTEGER".equals(expression.path("literal").path("kind").asText())) {
            try {
                int position = Integer.parseInt(expression.path("literal").path("text").asText());
                return position >= 1 && position <= outputs.size() ? position - 1 : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        if ("COLUMN_REF".equals(cls) && expression.path("column_names").size() == 1) {
            String name = expression.path("column_names").get(0).asText();
            for (int i = 0; i < outputs.size(); i++) {
                if (outputs.get(i).equalsIgnoreCase(name)) {
                    return i;
                }
            }
            return -1;
        }
        if (!"SELECT_NODE".equals(node.path("type").asText())) {
            return -1;
        }
        JsonNode selectList = node.path("select_list");
        if (selectList.size() != outputs.size()) {
            return -1;
        }
        ObjectNode key = withoutPlace(expression);
        for (int i = 0; i < selectList.size(); i++) {
            if (withoutPlace(selectList.get(i)).equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** An expression without its alias and source location, to compare two of them. */
    private static ObjectNode withoutPlace(JsonNode expression) {
        ObjectNode copy = expression.deepCopy();
        stripPlace(copy);
        copy.put("alias", "");
        return copy;
    }

    private static void stripPlace(JsonNode node) {
        if (node.isObject()) {
            ((ObjectNode) node).remove("query_location");
            ((ObjectNode) node).remove("query_location_length");
        }
        for (JsonNode child : node) {
            stripPlace(child);
        }
    }

    private static final String ORDER_SENSITIVE =
            ", whose result follows the order of the rows it reads";

    /**
     * Why the by-message form of the model could differ from a run on the message alone, or null:
     * the order of the rows the model reads decides its result (a window function without ORDER BY,
     * LIMIT or DISTINCT ON without ORDER BY, an aggregate whose result follows its input order
     * without an ORDER BY of its own: {@code list}, {@code string_agg}, {@code first}, ...), or
     * grouping sets (DuckDB 2.0.0 drops the empty grouping set's row of a message without rows when
     * it decorrelates them).
     */
    static String notByMessage(SqlTree tree) {
        return orderSensitivity(tree.topNode());
    }

    private static String orderSensitivity(JsonNode node) {
        if (node == null || !(node.isObject() || node.isArray())) {
            return null;
        }
        if (node.isObject()) {
            if (SqlTree.isQueryNode(node)) {
                boolean ordered = false;
                boolean limited = false;
                for (JsonNode modifier : node.path("modifiers")) {
                    String type = modifier.path("type").asText();
                    ordered |= "ORDER_MODIFIER".equals(type);
                    limited |= type.startsWith("LIMIT");
                    if ("DISTINCT_MODIFIER".equals(type)
                            && modifier.path("distinct_on_targets").size() > 0) {
                        limited = true;
                    }
                }
                if (limited && !ordered) {
                    return "it uses LIMIT or DISTINCT ON without ORDER BY" + ORDER_SENSITIVE;
                }
                JsonNode sets = node.path("group_sets");
                boolean emptySet = false;
                for (JsonNode set : sets) {
                    emptySet |= set.size() == 0;
                }
                if (sets.size() > 1 || emptySet) {
                    return "it uses GROUPING SETS, ROLLUP or CUBE (batched, DuckDB 2.0 drops the"
                            + " grand total of a message without rows)";
                }
            }
            String cls = node.path("class").asText("");
            String name = node.path("function_name").asText("").toLowerCase(Locale.ROOT);
            if ("WINDOW".equals(cls) && node.path("orders").size() == 0) {
                return "it uses the window function "
                        + name
                        + " without ORDER BY"
                        + ORDER_SENSITIVE;
            }
            if ("FUNCTION".equals(cls)
                    && ORDER_SENSITIVE_AGGREGATES.contains(name)
                    && node.path("order_bys").path("orders").size() == 0) {
                return "it uses the aggregate " + name + " without ORDER BY" + ORDER_SENSITIVE;
            }
        }
        for (JsonNode child : node) {
            String found = orderSensitivity(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Aggregates whose result follows the order of their input rows. */
    static final Set<String> ORDER_SENSITIVE_AGGREGATES =
            Collections.unmodifiableSet(
                    new HashSet<>(
                            Arrays.asList(
                                    "list",
                                    "array_agg",
                                    "string_agg",
                                    "group_concat",
                                    "listagg",
                                    "first",
                                    "last",
                                    "any_value",
                                    "arbitrary",
                                    "arg_min",
                                    "arg_max",
                                    "argmin",
                                    "argmax",
                                    "min_by",
                                    "max_by",
                                    "arg_min_null",
                                    "arg_max_null",
                                    "json_group_array",
                                    "json_group_object",
                                    "mode",
                                    "reservoir_quantile",
                                    "approx_quantile")));

    /** One key of a model's top-level ORDER BY, as an output column. */
    static final class OrderKey {
        final String column;
        final String direction;
        final String nullOrder;

        OrderKey(String column, String direction, String nullOrder) {
            this.column = column;
            this.direction = direction;
            this.nullOrder = nullOrder;
        }

        /** The key as SQL on {@code relation}, e.g. {@code r."total" DESC NULLS FIRST}. */
        String toSql(String relation) {
            StringBuilder sb =
                    new StringBuilder(relation).append('.').append(SqlIdentifiers.quote(column));
            if ("ASCENDING".equals(direction)) {
                sb.append(" ASC");
            } else if ("DESCENDING".equals(direction)) {
                sb.append(" DESC");
            }
            if ("NULLS FIRST".equals(nullOrder) || "NULLS_FIRST".equals(nullOrder)) {
                sb.append(" NULLS FIRST");
            } else if ("NULLS LAST".equals(nullOrder) || "NULLS_LAST".equals(nullOrder)) {
                sb.append(" NULLS LAST");
            }
            return sb.toString();
        }
    }
}
