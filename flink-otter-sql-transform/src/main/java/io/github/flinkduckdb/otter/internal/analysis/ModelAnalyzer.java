package io.github.flinkduckdb.otter.internal.analysis;

import io.github.flinkduckdb.otter.internal.ModelPlan;
import io.github.flinkduckdb.otter.internal.OtterDatabase;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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

    private final Connection connection;
    private final boolean externalAccess;
    private final Set<String> aggregates;
    private final SqlTreeCodec codec;
    private final BatchedForm batchedForm;
    private final boolean batchByMessage;

    /**
     * @param connection a connection of an {@link OtterDatabase}
     * @param externalAccess whether models may read files and the network
     * @param batchByMessage whether a model that is not row-local runs batched by message when it
     *     can
     */
    public ModelAnalyzer(Connection connection, boolean externalAccess, boolean batchByMessage)
            throws SQLException {
        this.connection = connection;
        this.batchByMessage = batchByMessage;
        this.externalAccess = externalAccess;
        this.aggregates = aggregateNames(connection);
        this.codec = new SqlTreeCodec(connection);
        this.batchedForm = new BatchedForm(connection, codec);
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

    /**
     * Checks what can be checked of {@code model} without an incoming schema (a transform that
     * types each message alone): it parses, is one SELECT without parameters, reads only {@code
     * incoming} and, unless external access is allowed, no table function that reads files or the
     * network. Binding waits for each message shape.
     *
     * @throws OtterModelException when the model cannot run on any message
     */
    public void checkWithoutSchema(OtterModel model) throws SQLException {
        SqlTree tree = parse(model);
        String forbidden = forbiddenFunction(tree.references());
        if (forbidden != null) {
            throw externalAccess(model, forbidden, null);
        }
    }

    /** Parses the model and checks what its tree alone tells (one SELECT, reads incoming). */
    private SqlTree parse(OtterModel model) throws SQLException {
        SqlTree tree;
        try {
            tree = codec.parse(model.sql());
        } catch (IOException e) {
            throw new SQLException(
                    "DuckDB's json_serialize_sql gave unreadable JSON for model "
                            + model.describe(),
                    e);
        }
        ModelStatementCheck.check(model, tree);
        ModelReferenceCheck.check(model, tree.references());
        return tree;
    }

    /** A table function the model reads that may read files or the network, unless allowed. */
    private String forbiddenFunction(SqlTree.References refs) {
        if (!externalAccess) {
            for (String function : refs.tableFunctions()) {
                if (!SqlTree.PURE_TABLE_FUNCTIONS.contains(function)) {
                    return function;
                }
            }
        }
        return null;
    }

    private static OtterModelException externalAccess(
            OtterModel model, String forbiddenFunction, SQLException bindError) {
        String what =
                forbiddenFunction != null
                        ? "uses the table function "
                                + forbiddenFunction
                                + ", which may read files or the network"
                        : "reads files or the network";
        return problem(
                model,
                OtterModelException.Problem.EXTERNAL_ACCESS,
                what
                        + "; file and network access is disabled for models (allow it with"
                        + " OtterTransformBuilder#allowExternalAccess(true)); table functions"
                        + " models may use: "
                        + String.join(", ", SqlTree.PURE_TABLE_FUNCTIONS)
                        + (bindError == null ? "" : " (DuckDB: " + bindError.getMessage() + ")"),
                bindError);
    }

    /**
     * Analyzes {@code model}.
     *
     * @param declaredOutput column definitions the model's rows must fit ({@code name TYPE [NOT
     *     NULL], ...}), or null to take the columns DuckDB binds
     * @throws OtterModelException when the model cannot run
     */
    public ModelPlan analyze(OtterModel model, String declaredOutput) throws SQLException {
        String sql = model.sql();
        SqlTree tree = parse(model);
        SqlTree.References refs = tree.references();
        bind(model, refs);

        List<ColumnSchema> columns = describe(model, sql);
        checkDistinctNames(model, columns);
        List<ColumnSchema> declared =
                declaredOutput == null
                        ? null
                        : DeclaredOutputSchema.read(connection, model, declaredOutput, columns);

        RowLocality locality = RowLocality.of(tree, aggregates);
        String batchSql = null;
        String reason = locality.reason();
        if (locality.isRowLocal()) {
            try {
                batchSql = batchedForm.of(model, tree, columns);
            } catch (SQLException | RuntimeException e) {
                reason =
                        "its batched form does not bind like the model ("
                                + e.getMessage()
                                + "), so it runs per message";
                LOG.warn("Model {}: {}", model.describe(), reason);
            }
        } else {
            List<ByMessageTree.OrderKey> order = ByMessageTree.topLevelOrder(tree, names(columns));
            String notByMessage =
                    batchByMessage
                            ? notByMessage(tree, refs, order)
                            : "batching by message is off (OtterTransformBuilder#batchByMessage)";
            if (notByMessage == null) {
                try {
                    batchSql = batchedForm.byMessage(model, tree, columns, order);
                    LOG.info(
                            "Model {} runs batched, each message's rows computed separately: {}",
                            model.describe(),
                            reason);
                } catch (SQLException | RuntimeException e) {
                    LOG.warn(
                            "Model {}: {}; its by-message form does not bind like the model ({}),"
                                    + " so it runs per message",
                            model.describe(),
                            reason,
                            e.getMessage());
                }
            } else {
                reason = reason + "; " + notByMessage;
            }
        }
        if (batchSql == null) {
            LOG.info("Model {} runs once per message: {}", model.describe(), reason);
        }
        return new ModelPlan(
                new ModelAnalysis(
                        model,
                        columns,
                        declared,
                        locality.isRowLocal() && batchSql != null ? null : reason,
                        RowsPerMessage.severalRowsReason(tree),
                        batchSql != null),
                batchSql);
    }

    /**
     * Why a model that is not row-local cannot run batched by message (each message's rows computed
     * separately in one query), or null when it can.
     */
    private static String notByMessage(
            SqlTree tree, SqlTree.References refs, List<ByMessageTree.OrderKey> order) {
        if (refs.incomingReferences() == 0) {
            return "without incoming its rows do not depend on a message";
        }
        String problem = ByMessageTree.notByMessage(tree);
        if (problem != null) {
            return problem;
        }
        if (order == null) {
            return "its ORDER BY names an expression that is not an output column";
        }
        return null;
    }

    private static List<String> names(List<ColumnSchema> columns) {
        List<String> names = new ArrayList<>(columns.size());
        for (ColumnSchema c : columns) {
            names.add(c.name());
        }
        return names;
    }

    /** Binds the model as the operator will run it; DuckDB reports unknown columns and the like. */
    private void bind(OtterModel model, SqlTree.References refs) {
        String forbiddenFunction = forbiddenFunction(refs);
        SQLException bindError = null;
        try (PreparedStatement ps = connection.prepareStatement(model.sql())) {
            ps.getMetaData();
        } catch (SQLException e) {
            bindError = e;
        }
        boolean permission =
                bindError != null && String.valueOf(bindError.getMessage()).contains("Permission");
        if (forbiddenFunction != null || permission) {
            throw externalAccess(model, forbiddenFunction, bindError);
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

    /** A model problem; the message starts with "Model 'name' (file)". */
    static OtterModelException problem(
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
}
