package io.github.flinkduckdb.otter.internal;

import org.apache.flink.annotation.Internal;

import java.sql.SQLException;

/**
 * Tells a model failing for a message (a cast of a bad value, division by zero, a binder error on a
 * value: the message goes to the dead-letter output) from DuckDB itself failing (out of memory,
 * I/O, an internal error: the task fails and Flink restarts it from the last checkpoint, so no
 * message is dead-lettered for a problem that is not its own).
 */
@Internal
public final class DuckDBFailures {

    private DuckDBFailures() {}

    public static boolean isFatal(SQLException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Out of Memory Error")
                || m.contains("IO Error")
                || m.contains("FATAL Error")
                || m.contains("INTERNAL Error")
                || m.contains("Connection Error")
                || m.contains("database has been invalidated")
                || m.contains("Interrupted")
                || m.contains("connection was closed")
                || m.contains("Connection was closed");
    }
}
