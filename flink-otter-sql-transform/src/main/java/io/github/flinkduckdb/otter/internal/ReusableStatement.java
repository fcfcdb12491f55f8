package io.github.flinkduckdb.otter.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A prepared statement that is prepared again when the driver has closed it: duckdb_jdbc closes a
 * prepared statement whose execution failed, and the transform keeps running statements after a
 * model failed for one message.
 */
final class ReusableStatement implements AutoCloseable {

    private final Connection connection;
    private final String sql;
    private PreparedStatement statement;

    ReusableStatement(Connection connection, String sql) throws SQLException {
        this.connection = connection;
        this.sql = sql;
        this.statement = connection.prepareStatement(sql);
    }

    /** The statement, open. */
    PreparedStatement get() throws SQLException {
        if (statement == null || statement.isClosed()) {
            statement = connection.prepareStatement(sql);
        }
        return statement;
    }

    @Override
    public void close() throws SQLException {
        if (statement != null && !statement.isClosed()) {
            statement.close();
        }
        statement = null;
    }
}
