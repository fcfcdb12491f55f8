package io.github.flinkduckdb.otter.faults;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Another process that wants a DuckDB file read-write, as a script or a {@code duckdb} shell would:
 * {@code DuckDBFileHolder <file> <holdMillis>} opens the file (trying again every 20 ms for up to a
 * minute while another process has it: DuckDB allows one read-write process per file), prints
 * {@code locked}, keeps it open for {@code holdMillis}, closes it, prints {@code released} and
 * exits.
 */
public final class DuckDBFileHolder {

    private DuckDBFileHolder() {}

    public static void main(String[] args) throws Exception {
        String url = "jdbc:duckdb:" + args[0];
        long hold = Long.parseLong(args[1]);
        long deadline = System.currentTimeMillis() + 60_000;
        Connection connection = null;
        while (connection == null) {
            try {
                connection = DuckDBDriverConnections.connect(url, new Properties());
            } catch (SQLException e) {
                // The job holds it during a commit: it lets go after the commit.
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
        try (Connection c = connection) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(hold);
        }
        System.out.println("released");
        System.out.flush();
    }
}
