package io.github.flinkduckdb.otter.internal.analysis;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Turns SQL into DuckDB's parse tree and back, with DuckDB's own {@code json_serialize_sql} and
 * {@code json_deserialize_sql}, so the transform reads and rewrites models exactly as DuckDB parses
 * them.
 */
final class SqlTreeCodec {

    private final Connection connection;

    SqlTreeCodec(Connection connection) {
        this.connection = connection;
    }

    /**
     * The parse tree of {@code sql}; a tree that {@link SqlTree#isError() is an error} if not SQL.
     */
    SqlTree parse(String sql) throws SQLException, IOException {
        return SqlTree.parse(scalar("SELECT CAST(json_serialize_sql(?) AS VARCHAR)", sql));
    }

    /** The SQL text of a parse tree given as JSON. */
    String toSql(String treeJson) throws SQLException {
        return scalar("SELECT json_deserialize_sql(CAST(? AS JSON))", treeJson);
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
}
