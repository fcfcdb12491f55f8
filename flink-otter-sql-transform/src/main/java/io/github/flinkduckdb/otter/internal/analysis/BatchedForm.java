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

    BatchedForm(Connection connection, SqlTreeCodec codec) throws SQLException {
        this.connection = connection;
        this.codec = codec;
        String templateSql =
                "SELECT t.rowid AS "
                        + SqlIdentifiers.quote(OtterDatabase.POSITION_COLUMN)
                        + " FROM t WHERE (TRUE) AND (t.rowid BETWEEN $1 AND $2)";
        try {
            this.template = codec.parse(templateSql);
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
}
