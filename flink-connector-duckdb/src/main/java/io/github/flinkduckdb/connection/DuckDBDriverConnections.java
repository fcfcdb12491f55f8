package io.github.flinkduckdb.connection;

import org.apache.flink.annotation.Internal;

import org.duckdb.DuckDBDriver;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens DuckDB connections through DuckDB's driver directly, not {@code DriverManager}: in a Flink
 * job the driver comes with the user jar, and {@code DriverManager} does not see drivers of the
 * user-code class loader ("No suitable driver found for jdbc:duckdb:").
 */
@Internal
public final class DuckDBDriverConnections {

    private static final DuckDBDriver DRIVER = new DuckDBDriver();

    private DuckDBDriverConnections() {}

    public static Connection connect(String url, Properties properties) throws SQLException {
        Connection c = DRIVER.connect(url, properties);
        if (c == null) {
            throw new SQLException("Not a DuckDB URL: " + url);
        }
        return c;
    }

    /** A fresh in-memory database. */
    public static Connection inMemory() throws SQLException {
        return connect("jdbc:duckdb:", new Properties());
    }
}
