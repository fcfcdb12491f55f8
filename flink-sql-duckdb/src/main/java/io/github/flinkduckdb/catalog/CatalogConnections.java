package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;

import org.apache.flink.table.catalog.exceptions.CatalogException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The short-lived connections of one DuckDB catalog: read-only for metadata (shared with a sink of
 * the same file in this process), read-write for DDL; and the wording of their failures, which
 * names the catalog and never the token.
 */
final class CatalogConnections {

    private final String catalogName;
    private final DuckDBConnectionProvider connection;

    CatalogConnections(String catalogName, DuckDBConnectionProvider connection) {
        this.catalogName = catalogName;
        this.connection = connection;
    }

    String catalogName() {
        return catalogName;
    }

    DuckDBConnectionProvider options() {
        return connection;
    }

    /** "DuckDB file /data/db.duckdb", "MotherDuck database 'x'", for messages. */
    String describe() {
        return connection.describe();
    }

    Connection read() throws SQLException {
        return connection.openForReading();
    }

    Connection write() throws SQLException {
        return connection.open();
    }

    /** Runs one DDL statement on its own read-write connection. */
    void execute(String what, String sql) {
        try (Connection c = write();
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw failure(what + " in " + connection.describe(), e);
        }
    }

    CatalogException failure(String what, Exception e) {
        Exception clean = e instanceof SQLException ? connection.scrub((SQLException) e) : e;
        return new CatalogException(
                "Catalog '" + catalogName + "' could not " + what + ": " + clean.getMessage(),
                clean);
    }
}
