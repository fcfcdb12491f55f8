package io.github.flinkduckdb.otter.internal.analysis;

import io.github.flinkduckdb.otter.internal.OtterDatabase;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the batched form of a row-local model (the model over the whole batch table, with the row
 * id of each row's message as last column, limited to the row ids between {@code $1} and {@code
 * $2}) by rewriting its parse tree, and checks that it binds with the model's columns.
 */
final class BatchedForm {

    private static final Logger LOG = LoggerFactory.getLogger(BatchedForm.class);

    private final Connection connection;
    private final SqlTreeCodec codec;
    private final SqlTree template;
    private final SqlTree messageRow;

    /** The aliases of the by-message form's message range and model result. */
    private static final String MESSAGE = "__otter_msg";

    private static final String RESULT = "__otter_result";

    /** The by-message form's rows of the range, with their row id as a column. */
    private static final String ROWS = "__otter_rows";

    private static final String POSITION = SqlIdentifiers.quote(OtterDatabase.POSITION_COLUMN);

    BatchedForm(Connection connection, SqlTreeCodec codec) throws SQLException {
        this.connection = connection;
        this.codec = codec;
        String templateSql =
                "SELECT t.rowid AS "
                        + SqlIdentifiers.quote(OtterDatabase.POSITION_COLUMN)
                        + " FROM t WHERE (TRUE) AND (t.rowid BETWEEN $1 AND $2)";
        try {
            this.template = codec.parse(templateSql);
            this.messageRow =
                    codec.parse(
                            "SELECT * FROM (SELECT * EXCLUDE ("
                                    + POSITION
                                    + ") FROM "
                                    + ROWS
                                    + " AS __otter_in WHERE __otter_in."
                                    + POSITION
                                    + " = "
                                    + MESSAGE
                                    + "."
                                    + POSITION
                                    + ") AS incoming");
        } catch (IOException e) {
            throw new SQLException("DuckDB's json_serialize_sql gave unreadable JSON", e);
        }
    }

    /**
     * The batched form of a row-local model, checked to bind with the model's columns plus the row
     * id.
     *
     * @param columns the columns DuckDB binds for the model
     * @throws SQLException when the batched form does not bind like the model
     */
    String of(OtterModel model, SqlTree tree, List<ColumnSchema> columns) throws SQLException {
        String batchSql =
                codec.toSql(
                        tree.batchForm(
                                template,
                                OtterDatabase.CATALOG,
                                OtterDatabase.SCHEMA,
                                OtterDatabase.BATCH_TABLE,
                                true));
        // The same without the row-id range (DESCRIBE cannot take parameters) shows the columns.
        String unfiltered =
                codec.toSql(
                        tree.batchForm(
                                template,
                                OtterDatabase.CATALOG,
                                OtterDatabase.SCHEMA,
                                OtterDatabase.BATCH_TABLE,
                                false));
        check(batchSql, unfiltered, columns);
        LOG.debug("Model {} runs batched as: {}", model.describe(), batchSql);
        return batchSql;
    }

    /**
     * The by-message form of a model that is not row-local: for each message of the row-id range
     * {@code $1..$2}, the model as written with {@code incoming} replaced by that message's row of
     * the batch table (a lateral subquery, which DuckDB decorrelates into one query that groups,
     * windows, sorts and limits per message), with the row id as last column; rows of a message in
     * the model's ORDER BY. Checked to bind with the model's columns plus the row id.
     *
     * @param order the model's top-level ORDER BY as output columns
     * @throws SQLException when the by-message form does not bind like the model
     */
    String byMessage(
            OtterModel model,
            SqlTree tree,
            List<ColumnSchema> columns,
            List<ByMessageTree.OrderKey> order)
            throws SQLException {
        String inner =
                statementText(codec.toSql(ByMessageTree.withIncomingReplaced(tree, messageRow)));
        String batchSql = lateral(inner, "$1 AND $2", order);
        check(batchSql, lateral(inner, "0 AND -1", order), columns);
        LOG.debug("Model {} runs batched by message as: {}", model.describe(), batchSql);
        return batchSql;
    }

    /**
     * The range's rows, with the row id as a real column, in a materialized CTE: DuckDB 2.0.0 fails
     * with an INTERNAL error (which invalidates the database) when it decorrelates some lateral
     * subqueries that filter the table on its row id directly (e.g. {@code SELECT * ... ORDER BY id
     * LIMIT 1}).
     */
    private static String lateral(String inner, String range, List<ByMessageTree.OrderKey> order) {
        StringBuilder sql =
                new StringBuilder("WITH ")
                        .append(ROWS)
                        .append(" AS MATERIALIZED (SELECT b.rowid AS ")
                        .append(POSITION)
                        .append(", b.* FROM ")
                        .append(OtterDatabase.QUALIFIED_BATCH)
                        .append(" AS b WHERE b.rowid BETWEEN ")
                        .append(range)
                        .append(") SELECT ")
                        .append(RESULT)
                        .append(".*, ")
                        .append(MESSAGE)
                        .append('.')
                        .append(POSITION)
                        .append(" AS ")
                        .append(POSITION)
                        .append(" FROM (SELECT ")
                        .append(POSITION)
                        .append(" FROM ")
                        .append(ROWS)
                        .append(") AS ")
                        .append(MESSAGE)
                        .append(", LATERAL (")
                        .append(inner)
                        .append(") AS ")
                        .append(RESULT);
        if (!order.isEmpty()) {
            sql.append(" ORDER BY ").append(MESSAGE).append('.').append(POSITION);
            for (ByMessageTree.OrderKey key : order) {
                sql.append(", ").append(key.toSql(RESULT));
            }
        }
        return sql.toString();
    }

    /** {@code json_deserialize_sql}'s text of one statement, without a closing semicolon. */
    private static String statementText(String sql) {
        String s = sql.trim();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        return s;
    }

    /**
     * Checks that {@code unfiltered} (the batched form without parameters) describes as the model's
     * columns plus the row id, and that {@code batchSql} binds and runs (on the empty batch table).
     */
    private void check(String batchSql, String unfiltered, List<ColumnSchema> columns)
            throws SQLException {
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
    }
}
