package io.github.flinkduckdb.otter.internal.analysis;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A model's parse tree as DuckDB's {@code json_serialize_sql} gives it, and what the transform
 * reads from it: the tables and table functions it uses, whether it is row-local (its rows for a
 * message depend on that message alone, so a batch of messages can run in one query) and the
 * batched form of a row-local model.
 *
 * <p>Row-locality is decided on the tree by {@link RowLocality}.
 */
final class SqlTree {

    /** The table every model reads. */
    public static final String INCOMING = "incoming";

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Table functions that read nothing outside the query; allowed when external access is off. */
    static final Set<String> PURE_TABLE_FUNCTIONS =
            Collections.unmodifiableSet(
                    new LinkedHashSet<>(
                            Arrays.asList(
                                    "unnest",
                                    "range",
                                    "generate_series",
                                    "json_each",
                                    "json_tree")));

    /** Table functions that run SQL text and so could read anything; never allowed. */
    static final Set<String> SQL_RUNNING_TABLE_FUNCTIONS =
            Collections.unmodifiableSet(new HashSet<>(Arrays.asList("query", "query_table")));

    private static final Set<String> KNOWN_TABLE_REFS =
            Collections.unmodifiableSet(
                    new HashSet<>(
                            Arrays.asList(
                                    "BASE_TABLE",
                                    "JOIN",
                                    "SUBQUERY",
                                    "TABLE_FUNCTION",
                                    "EXPRESSION_LIST",
                                    "EMPTY",
                                    "PIVOT")));

    private final ObjectNode root;
    private final int statementCount;

    private SqlTree(ObjectNode root) {
        this.root = root;
        JsonNode statements = root.path("statements");
        this.statementCount = statements.isArray() ? statements.size() : 0;
    }

    /** Reads the JSON text {@code json_serialize_sql} returned. */
    public static SqlTree parse(String json) throws IOException {
        JsonNode node = MAPPER.readTree(json);
        if (node == null || !node.isObject()) {
            throw new IOException("json_serialize_sql returned no object");
        }
        return new SqlTree((ObjectNode) node);
    }

    /** Whether DuckDB reported an error instead of a tree. */
    public boolean isError() {
        return root.path("error").asBoolean(false);
    }

    /** DuckDB's error type, e.g. {@code parser} or {@code not implemented}. */
    public String errorType() {
        return root.path("error_type").asText("");
    }

    public String errorMessage() {
        return root.path("error_message").asText("");
    }

    /** The character offset of a syntax error, or -1. */
    public int errorPosition() {
        JsonNode p = root.path("position");
        if (p.isMissingNode() || p.isNull()) {
            return -1;
        }
        try {
            return Integer.parseInt(p.asText());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public int statementCount() {
        return statementCount;
    }

    /** A copy of the whole tree, to rewrite. */
    ObjectNode copy() {
        return root.deepCopy();
    }

    ObjectNode statement() {
        return (ObjectNode) root.path("statements").get(0);
    }

    JsonNode topNode() {
        return statement().path("node");
    }

    /** What the model reads: tables, table functions, parameters, CTE names. */
    public References references() {
        References refs = new References();
        walk(topNode(), new ArrayDeque<>(), refs);
        return refs;
    }

    private static void walk(JsonNode node, Deque<Set<String>> scopes, References refs) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                walk(child, scopes, refs);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        boolean queryNode = isQueryNode(node);
        if (queryNode) {
            Set<String> names = new HashSet<>();
            for (JsonNode entry : node.path("cte_map").path("map")) {
                String key = entry.path("key").asText();
                names.add(key.toLowerCase(Locale.ROOT));
                refs.cteNames.add(key);
            }
            scopes.push(names);
        }
        if (isTableRef(node)) {
            String type = node.path("type").asText();
            if (!KNOWN_TABLE_REFS.contains(type)) {
                refs.unsupportedTableRefs.add(type);
            } else if ("BASE_TABLE".equals(type)) {
                String name = node.path("table_name").asText();
                boolean qualified =
                        !node.path("schema_name").asText("").isEmpty()
                                || !node.path("catalog_name").asText("").isEmpty();
                if (!qualified && inScope(scopes, name)) {
                    // a CTE
                } else if (!qualified && INCOMING.equalsIgnoreCase(name)) {
                    refs.incomingReferences++;
                } else {
                    refs.otherTables.add(qualifiedName(node));
                    if (looksLikeFile(name)) {
                        refs.fileTables.add(qualifiedName(node));
                    }
                }
            } else if ("TABLE_FUNCTION".equals(type)) {
                refs.tableFunctions.add(
                        node.path("function")
                                .path("function_name")
                                .asText()
                                .toLowerCase(Locale.ROOT));
            }
        }
        String cls = node.path("class").asText("");
        if ("PARAMETER".equals(cls)) {
            refs.parameters = true;
        }
        if ("COLUMN_REF".equals(cls)) {
            JsonNode names = node.path("column_names");
            if (names.size() > 0
                    && "rowid".equalsIgnoreCase(names.get(names.size() - 1).asText())) {
                refs.rowId = true;
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            walk(fields.next().getValue(), scopes, refs);
        }
        if (queryNode) {
            scopes.pop();
        }
    }

    /** A name DuckDB would read as a file or URL (a replacement scan), e.g. {@code 'x.csv'}. */
    private static boolean looksLikeFile(String tableName) {
        return tableName.indexOf('/') >= 0
                || tableName.indexOf('\\') >= 0
                || tableName.indexOf(':') >= 0
                || tableName.indexOf('.') >= 0;
    }

    static boolean inScope(Deque<Set<String>> scopes, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Set<String> scope : scopes) {
            if (scope.contains(lower)) {
                return true;
            }
        }
        return false;
    }

    private static String qualifiedName(JsonNode baseTable) {
        StringBuilder sb = new StringBuilder();
        String catalog = baseTable.path("catalog_name").asText("");
        String schema = baseTable.path("schema_name").asText("");
        if (!catalog.isEmpty()) {
            sb.append(catalog).append('.');
        }
        if (!schema.isEmpty()) {
            sb.append(schema).append('.');
        }
        return sb.append(baseTable.path("table_name").asText()).toString();
    }

    static boolean isQueryNode(JsonNode node) {
        return node.has("cte_map") && node.has("modifiers") && node.has("type");
    }

    static boolean isTableRef(JsonNode node) {
        return !node.has("class")
                && !node.has("modifiers")
                && node.path("type").isTextual()
                && node.has("sample")
                && node.has("alias");
    }

    /**
     * The batched form of a row-local model, as a tree for {@code json_deserialize_sql}: {@code
     * incoming} is replaced by {@code batchTable} under the same alias, the row id of that table is
     * appended to the select list as {@code positionColumn}, and (with {@code rangeFilter}) the
     * WHERE clause is limited to the row ids between the parameters {@code $1} and {@code $2}.
     *
     * @param template the tree of {@code SELECT t.rowid AS <positionColumn> FROM t WHERE (TRUE) AND
     *     (t.rowid BETWEEN $1 AND $2)}, which gives the JSON shapes DuckDB expects
     */
    public String batchForm(
            SqlTree template, String catalog, String schema, String table, boolean rangeFilter) {
        ObjectNode copy = root.deepCopy();
        ObjectNode statement = (ObjectNode) copy.path("statements").get(0);
        ObjectNode node = (ObjectNode) statement.path("node");
        ObjectNode leaf = (ObjectNode) node.path("from_table");
        while ("JOIN".equals(leaf.path("type").asText())) {
            leaf = (ObjectNode) leaf.path("left");
        }
        String alias = leaf.path("alias").asText("");
        if (alias.isEmpty()) {
            alias = leaf.path("table_name").asText();
        }
        leaf.put("alias", alias);
        leaf.put("catalog_name", catalog);
        leaf.put("schema_name", schema);
        leaf.put("table_name", table);
        ObjectNode qualified = MAPPER.createObjectNode();
        ArrayNode path = qualified.putArray("path");
        path.add(catalog).add(schema).add(table);
        leaf.set("qualified_name", qualified);

        ObjectNode templateStatement = template.statement();
        JsonNode templateNode = templateStatement.path("node");
        ObjectNode position = templateNode.path("select_list").get(0).deepCopy();
        ((ArrayNode) position.path("column_names")).set(0, MAPPER.getNodeFactory().textNode(alias));
        ((ArrayNode) node.path("select_list")).add(position);

        ObjectNode filter = templateNode.path("where_clause").deepCopy();
        ArrayNode children = (ArrayNode) filter.path("children");
        ObjectNode between = (ObjectNode) children.get(1);
        ((ArrayNode) between.path("input").path("column_names"))
                .set(0, MAPPER.getNodeFactory().textNode(alias));
        JsonNode where = node.path("where_clause");
        if (!rangeFilter) {
            return copy.toString();
        }
        if (notNull(where)) {
            children.set(0, where);
            node.set("where_clause", filter);
        } else {
            node.set("where_clause", between);
        }
        statement.set("named_param_map", templateStatement.path("named_param_map").deepCopy());
        return copy.toString();
    }

    static boolean notNull(JsonNode n) {
        return !n.isMissingNode() && !n.isNull();
    }

    /** What a model reads. */
    public static final class References {
        int incomingReferences;
        boolean parameters;
        boolean rowId;
        final List<String> otherTables = new ArrayList<>();
        final List<String> fileTables = new ArrayList<>();
        final Set<String> tableFunctions = new LinkedHashSet<>();
        final Set<String> unsupportedTableRefs = new LinkedHashSet<>();
        final List<String> cteNames = new ArrayList<>();

        public int incomingReferences() {
            return incomingReferences;
        }

        public boolean hasParameters() {
            return parameters;
        }

        /** Whether the model names a column {@code rowid}, which means nothing for a message. */
        public boolean usesRowId() {
            return rowId;
        }

        /** The tables among {@link #otherTables()} that DuckDB would read as files or URLs. */
        public List<String> fileTables() {
            return fileTables;
        }

        /** Tables other than incoming and the model's own CTEs, as written. */
        public List<String> otherTables() {
            return otherTables;
        }

        /** Lower-case names of the table functions used in FROM clauses. */
        public Set<String> tableFunctions() {
            return tableFunctions;
        }

        /** Kinds of FROM-clause items the transform does not support (e.g. SHOW_REF). */
        public Set<String> unsupportedTableRefs() {
            return unsupportedTableRefs;
        }

        public List<String> cteNames() {
            return cteNames;
        }
    }
}
