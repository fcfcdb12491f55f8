package io.github.flinkduckdb.otter.model;

import io.github.flinkduckdb.otter.internal.OtterDatabase;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.schema.TableSchema;
import io.github.flinkduckdb.schema.TableSchemaReader;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validates a model and works out its output schema and execution form, in a DuckDB set up like the
 * operator's ({@link OtterDatabase}): parse with {@code json_serialize_sql} (syntax errors with
 * their position, not a SELECT), check the tables and table functions it reads, bind it against the
 * declared incoming schema, decide row-locality on the tree and build and check the batched form.
 */
@Internal
public final class ModelAnalyzer {

    private static final Logger LOG = LoggerFactory.getLogger(ModelAnalyzer.class);

    private static final String DECLARED_TABLE = "__otter_declared_output";

    private final Connection connection;
    private final boolean externalAccess;
    private final Set<String> aggregates;
    private final SqlTree template;

    /**
     * @param connection a connection of an {@link OtterDatabase}
     * @param externalAccess whether models may read files and the network
     */
    public ModelAnalyzer(Connection connection, boolean externalAccess) throws SQLException {
        this.connection = connection;
        this.externalAccess = externalAccess;
        this.aggregates = aggregateNames(connection);
        String templateSql =
                "SELECT t.rowid AS "
                        + SqlIdentifiers.quote(OtterDatabase.POSITION_COLUMN)
                        + " FROM t WHERE (TRUE) AND (t.rowid BETWEEN $1 AND $2)";
        try {
            this.template = SqlTree.parse(serialize(templateSql));
        } catch (IOException e) {
            throw new SQLException("DuckDB's json_serialize_sql gave unreadable JSON", e);
        }
    }

    private static Set<String> aggregateNames(Connection connection) throws SQLException {
        Set<String> names = new HashSet<>();
        try (Statement st = connection.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT DISTINCT lower(function_name) FROM duckdb_functions() "
                                        + "WHERE function_type = 'aggregate'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private String serialize(String sql) throws SQLException {
        return scalar("SELECT CAST(json_serialize_sql(?) AS VARCHAR)", sql);
    }

    /** The single string {@code query} returns for its one bound parameter. */
    private String scalar(String query, String parameter) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * Analyzes {@code model}.
     *
     * @param declaredOutput column definitions the model's rows must fit ({@code name TYPE [NOT
     *     NULL], ...}), or null to take the columns DuckDB binds
     * @throws OtterModelException when the model cannot run
     */
    public ModelAnalysis analyze(OtterModel model, String declaredOutput) throws SQLException {
        String sql = model.sql();
        SqlTree tree;
        try {
            tree = SqlTree.parse(serialize(sql));
        } catch (IOException e) {
            throw new SQLException(
                    "DuckDB's json_serialize_sql gave unreadable JSON for model "
                            + model.describe(),
                    e);
        }
        checkParse(model, tree);
        SqlTree.References refs = tree.references();
        checkReferences(model, refs);
        bind(model, refs);

        List<ColumnSchema> columns = describe(model, sql);
        checkDistinctNames(model, columns);
        List<ColumnSchema> declared =
                declaredOutput == null ? null : declaredColumns(model, declaredOutput, columns);

        SqlTree.Locality locality = tree.locality(aggregates);
        String batchSql = null;
        String reason = locality.reason();
        if (locality.isRowLocal()) {
            try {
                batchSql = batchForm(model, tree, columns);
            } catch (SQLException | RuntimeException e) {
                reason =
                        "its batched form does not bind like the model ("
                                + e.getMessage()
                                + "), so it runs per message";
                LOG.warn("Model {}: {}", model.describe(), reason);
            }
        }
        if (batchSql == null) {
            LOG.info("Model {} runs once per message: {}", model.describe(), reason);
        }
        return new ModelAnalysis(
                model, columns, declared, batchSql == null ? reason : null, batchSql);
    }

    private static void checkParse(OtterModel model, SqlTree tree) {
        if (tree.isError()) {
            if ("parser".equalsIgnoreCase(tree.errorType())) {
                int position = tree.errorPosition();
                int[] lineColumn = lineAndColumn(model.sql(), position);
                StringBuilder message =
                        new StringBuilder("Model ")
                                .append(model.describe())
                                .append(" has a syntax error");
                if (lineColumn != null) {
                    message.append(" at line ")
                            .append(lineColumn[0])
                            .append(", column ")
                            .append(lineColumn[1]);
                }
                message.append(": ").append(tree.errorMessage());
                if (lineColumn != null) {
                    message.append('\n').append(caret(model.sql(), lineColumn[0], lineColumn[1]));
                }
                throw new OtterModelException(
                        model.name(),
                        OtterModelException.Problem.SYNTAX_ERROR,
                        message.toString(),
                        lineColumn == null ? -1 : lineColumn[0],
                        lineColumn == null ? -1 : lineColumn[1],
                        tree.errorMessage(),
                        null);
            }
            throw new OtterModelException(
                    model.name(),
                    OtterModelException.Problem.NOT_A_SELECT,
                    "Model "
                            + model.describe()
                            + " is not a SELECT statement: a model is one DuckDB SELECT over the"
                            + " table incoming (DuckDB: "
                            + tree.errorMessage()
                            + ")",
                    -1,
                    -1,
                    tree.errorMessage(),
                    null);
        }
        if (tree.statementCount() == 0) {
            throw new OtterModelException(
                    model.name(),
                    OtterModelException.Problem.EMPTY,
                    "Model " + model.describe() + " is empty: write one SELECT over incoming",
                    -1,
                    -1,
                    null,
                    null);
        }
        if (tree.statementCount() > 1) {
            throw new OtterModelException(
                    model.name(),
                    OtterModelException.Problem.MULTIPLE_STATEMENTS,
                    "Model "
                            + model.describe()
                            + " has "
                            + tree.statementCount()
                            + " statements; a model is exactly one SELECT",
                    -1,
                    -1,
                    null,
                    null);
        }
    }

    private void checkReferences(OtterModel model, SqlTree.References refs) {
        if (!refs.unsupportedTableRefs().isEmpty()) {
            throw problem(
                    model,
                    OtterModelException.Problem.UNSUPPORTED,
                    "uses "
                            + String.join(", ", refs.unsupportedTableRefs())
                            + " in its FROM clause, which models do not support",
                    null);
        }
        for (String cte : refs.cteNames()) {
            if (SqlTree.INCOMING.equalsIgnoreCase(cte)) {
                throw problem(
                        model,
                        OtterModelException.Problem.FORBIDDEN_TABLE,
                        "defines a CTE named incoming, which would hide the incoming table;"
                                + " rename the CTE",
                        null);
            }
        }
        for (String table : refs.otherTables()) {
            if (refs.fileTables().contains(table)) {
                throw problem(
                        model,
                        OtterModelException.Problem.EXTERNAL_ACCESS,
                        "reads '"
                                + table
                                + "'; a model reads only the table incoming, not files, URLs or"
                                + " other databases",
                        null);
            }
            throw problem(
                    model,
                    OtterModelException.Problem.FORBIDDEN_TABLE,
                    "reads the table '"
                            + table
                            + "'; a model reads only the table incoming (unqualified) and its own"
                            + " CTEs",
                    null);
        }
        for (String function : refs.tableFunctions()) {
            if (SqlTree.SQL_RUNNING_TABLE_FUNCTIONS.contains(function)) {
                throw problem(
                        model,
                        OtterModelException.Problem.FORBIDDEN_TABLE,
                        "uses the table function "
                                + function
                                + ", which runs SQL text; a model reads only incoming",
                        null);
            }
        }
        if (refs.usesRowId()) {
            throw problem(
                    model,
                    OtterModelException.Problem.UNSUPPORTED,
                    "uses rowid, which identifies nothing about a message; select the message's"
                            + " own fields",
                    null);
        }
        if (refs.hasParameters()) {
            throw problem(
                    model,
                    OtterModelException.Problem.PARAMETERS,
                    "has query parameters (? or $n); models take no parameters",
                    null);
        }
    }

    /** Binds the model as the operator will run it; DuckDB reports unknown columns and the like. */
    private void bind(OtterModel model, SqlTree.References refs) {
        String forbiddenFunction = null;
        if (!externalAccess) {
            for (String function : refs.tableFunctions()) {
                if (!SqlTree.PURE_TABLE_FUNCTIONS.contains(function)) {
                    forbiddenFunction = function;
                    break;
                }
            }
        }
        SQLException bindError = null;
        try (PreparedStatement ps = connection.prepareStatement(model.sql())) {
            ps.getMetaData();
        } catch (SQLException e) {
            bindError = e;
        }
        boolean permission =
                bindError != null && String.valueOf(bindError.getMessage()).contains("Permission");
        if (forbiddenFunction != null || permission) {
            String what =
                    forbiddenFunction != null
                            ? "uses the table function "
                                    + forbiddenFunction
                                    + ", which may read files or the network"
                            : "reads files or the network";
            throw problem(
                    model,
                    OtterModelException.Problem.EXTERNAL_ACCESS,
                    what
                            + "; file and network access is disabled for models (allow it with"
                            + " OtterTransformBuilder#allowExternalAccess(true)); table functions"
                            + " models may use: "
                            + String.join(", ", SqlTree.PURE_TABLE_FUNCTIONS)
                            + (bindError == null
                                    ? ""
                                    : " (DuckDB: " + bindError.getMessage() + ")"),
                    bindError);
        }
        if (bindError != null) {
            throw problem(
                    model,
                    OtterModelException.Problem.BINDING,
                    "does not bind against the incoming schema: " + bindError.getMessage(),
                    bindError);
        }
    }

    private List<ColumnSchema> describe(OtterModel model, String sql) throws SQLException {
        List<ColumnSchema> columns = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("DESCRIBE " + sql)) {
            while (rs.next()) {
                String name = rs.getString("column_name");
                String type = rs.getString("column_type");
                DuckDBType parsed;
                try {
                    parsed = DuckDBType.parse(type);
                } catch (IllegalArgumentException e) {
                    parsed = DuckDBType.other(type);
                }
                columns.add(ColumnSchema.of(name, parsed));
            }
        } catch (SQLException e) {
            throw problem(
                    model,
                    OtterModelException.Problem.BINDING,
                    "cannot be described: " + e.getMessage(),
                    e);
        }
        return columns;
    }

    private static void checkDistinctNames(OtterModel model, List<ColumnSchema> columns) {
        Set<String> seen = new HashSet<>();
        for (ColumnSchema c : columns) {
            if (!seen.add(c.name().toLowerCase(Locale.ROOT))) {
                throw problem(
                        model,
                        OtterModelException.Problem.OUTPUT_SCHEMA,
                        "has the output column '"
                                + c.name()
                                + "' more than once; give each column its own name (AS ...)",
                        null);
            }
        }
    }

    private List<ColumnSchema> declaredColumns(
            OtterModel model, String definitions, List<ColumnSchema> modelColumns)
            throws SQLException {
        TableSchema schema;
        try (Statement st = connection.createStatement()) {
            st.execute("DROP TABLE IF EXISTS temp.main." + DECLARED_TABLE);
            try {
                st.execute("CREATE TEMP TABLE " + DECLARED_TABLE + " (" + definitions + ")");
            } catch (SQLException e) {
                throw problem(
                        model,
                        OtterModelException.Problem.OUTPUT_SCHEMA,
                        "has a declared output schema DuckDB cannot read ("
                                + definitions
                                + "): "
                                + e.getMessage(),
                        e);
            }
            try {
                schema =
                        TableSchemaReader.read(
                                        connection,
                                        new TableIdentifier("temp", "main", DECLARED_TABLE))
                                .orElseThrow(
                                        () ->
                                                new SQLException(
                                                        "The declared output table vanished"));
            } finally {
                st.execute("DROP TABLE IF EXISTS temp.main." + DECLARED_TABLE);
            }
        }
        Map<String, ColumnSchema> byName = new HashMap<>();
        for (ColumnSchema c : modelColumns) {
            byName.put(c.name().toLowerCase(Locale.ROOT), c);
        }
        List<String> missing = new ArrayList<>();
        Set<String> declaredNames = new HashSet<>();
        for (ColumnSchema c : schema.columns()) {
            declaredNames.add(c.name().toLowerCase(Locale.ROOT));
            if (!byName.containsKey(c.name().toLowerCase(Locale.ROOT))) {
                missing.add(c.name());
            }
        }
        List<String> extra = new ArrayList<>();
        for (ColumnSchema c : modelColumns) {
            if (!declaredNames.contains(c.name().toLowerCase(Locale.ROOT))) {
                extra.add(c.name());
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw problem(
                    model,
                    OtterModelException.Problem.OUTPUT_SCHEMA,
                    "does not match its declared output schema: "
                            + (missing.isEmpty()
                                    ? ""
                                    : "declared but not selected: " + missing + "; ")
                            + (extra.isEmpty() ? "" : "selected but not declared: " + extra),
                    null);
        }
        return schema.columns();
    }

    private String batchForm(OtterModel model, SqlTree tree, List<ColumnSchema> columns)
            throws SQLException {
        String batchSql =
                deserialize(
                        tree.batchForm(
                                template,
                                OtterDatabase.CATALOG,
                                OtterDatabase.SCHEMA,
                                OtterDatabase.BATCH_TABLE,
                                true));
        // The same without the row-id range (DESCRIBE cannot take parameters) shows the columns.
        String unfiltered =
                deserialize(
                        tree.batchForm(
                                template,
                                OtterDatabase.CATALOG,
                                OtterDatabase.SCHEMA,
                                OtterDatabase.BATCH_TABLE,
                                false));
        List<ColumnSchema> expected = new ArrayList<>(columns);
        expected.add(
                ColumnSchema.of(
                        OtterDatabase.POSITION_COLUMN, DuckDBType.of(DuckDBType.Id.BIGINT)));
        List<ColumnSchema> actual = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("DESCRIBE " + unfiltered)) {
            while (rs.next()) {
                DuckDBType parsed;
                String type = rs.getString("column_type");
                try {
                    parsed = DuckDBType.parse(type);
                } catch (IllegalArgumentException e) {
                    parsed = DuckDBType.other(type);
                }
                actual.add(ColumnSchema.of(rs.getString("column_name"), parsed));
            }
        }
        if (!actual.equals(expected)) {
            throw new SQLException("columns " + actual + " instead of " + expected);
        }
        // The batch table is empty here: this binds and runs the batched form once.
        try (PreparedStatement ps = connection.prepareStatement(batchSql)) {
            ps.setLong(1, 0L);
            ps.setLong(2, -1L);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // nothing to read
                }
            }
        }
        LOG.debug("Model {} runs batched as: {}", model.describe(), batchSql);
        return batchSql;
    }

    private String deserialize(String json) throws SQLException {
        return scalar("SELECT json_deserialize_sql(CAST(? AS JSON))", json);
    }

    private static OtterModelException problem(
            OtterModel model, OtterModelException.Problem problem, String what, Throwable cause) {
        String duckdb = null;
        if (cause instanceof SQLException) {
            duckdb = cause.getMessage();
        }
        return new OtterModelException(
                model.name(),
                problem,
                "Model " + model.describe() + " " + what,
                -1,
                -1,
                duckdb,
                cause);
    }

    /** 1-based line and column of a character offset, or null when out of range. */
    static int[] lineAndColumn(String sql, int position) {
        if (position < 0 || position > sql.length()) {
            return null;
        }
        int line = 1;
        int column = 1;
        for (int i = 0; i < position; i++) {
            if (sql.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }

    private static String caret(String sql, int line, int column) {
        String[] lines = sql.split("\n", -1);
        String text = line - 1 < lines.length ? lines[line - 1].replace('\t', ' ') : "";
        StringBuilder sb = new StringBuilder("    ").append(text).append('\n').append("    ");
        for (int i = 1; i < column; i++) {
            sb.append(' ');
        }
        return sb.append('^').toString();
    }
}
