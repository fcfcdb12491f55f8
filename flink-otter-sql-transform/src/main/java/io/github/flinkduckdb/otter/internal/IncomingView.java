package io.github.flinkduckdb.otter.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Points the view {@code incoming} at one message's row of the batch table (the variable {@code
 * __otter_pos}, see {@link OtterDatabase}), so a model run as written sees that message alone.
 * Skips the statement when the view already shows that row.
 */
final class IncomingView implements AutoCloseable {

    private final ReusableStatement setPosition;
    private long currentRowId = Long.MIN_VALUE;

    IncomingView(Connection connection) throws SQLException {
        this.setPosition =
                new ReusableStatement(
                        connection,
                        "SET VARIABLE " + OtterDatabase.POSITION_VARIABLE + " = CAST(? AS BIGINT)");
    }

    void show(long rowId) throws SQLException {
        if (currentRowId != rowId) {
            PreparedStatement set = setPosition.get();
            set.setLong(1, rowId);
            set.execute();
            currentRowId = rowId;
        }
    }

    @Override
    public void close() throws SQLException {
        setPosition.close();
    }
}
