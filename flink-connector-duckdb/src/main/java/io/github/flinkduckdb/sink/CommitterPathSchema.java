package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The table schema of a sink on the committer path, settled while the job is built. Its writers
 * never open the database (so that they may run in several TaskManagers while one committer writes
 * the file), yet they convert and stage every row against the table's columns; the only place that
 * can learn those columns before the writers start is the client building the job.
 *
 * <p>The schema is read from the database when this machine can open it: read-only, or through this
 * process's open instance of the file, never taking the write lock (another process may be writing
 * or reading the file). Else it is taken from the create-table statement, run in a scratch
 * in-memory database. Neither found is an error naming the table and the way out.
 */
final class CommitterPathSchema {

    private CommitterPathSchema() {}

    static DuckDBTableSchema resolve(DuckDBSinkConfig config) {
        DuckDBConnectionProvider c = config.connection;
        boolean reachable = c.isMotherDuck() || c.localFile().map(Files::exists).orElse(false);
        Exception readFailure = null;
        if (reachable) {
            try (Connection connection = c.openForReading()) {
                Optional<DuckDBTableSchema> schema =
                        DuckDBTableSchemaReader.read(connection, config.table);
                if (schema.isPresent()) {
                    return schema.get().withIdentifier(config.table);
                }
            } catch (SQLException e) {
                readFailure = c.scrub(e);
            }
        }
        if (config.createTableSql != null) {
            try {
                return ofCreateStatement(config.createTableSql, config.table);
            } catch (Exception e) {
                throw new DuckDBSinkException(
                        "Cannot read the schema of table "
                                + config.table
                                + " from its create-table statement: "
                                + e.getMessage()
                                + (readFailure != null
                                        ? "; reading it from "
                                                + c.describe()
                                                + " failed too: "
                                                + readFailure.getMessage()
                                        : ""),
                        e);
            }
        }
        if (readFailure != null) {
            throw new DuckDBSinkException(
                    "Cannot read the schema of table "
                            + config.table
                            + " from "
                            + c.describe()
                            + " while building the job ("
                            + readFailure.getMessage()
                            + "). With exactly-once (or writers in several TaskManagers) the writers never open the database, so the schema must be known when the job is built: make the database readable here or set a create-table statement.",
                    readFailure);
        }
        throw new DuckDBSinkException(
                "Table "
                        + config.table
                        + " does not exist in "
                        + c.describe()
                        + " and no create-table statement was given; create the table or set one with setCreateTableSql(...)");
    }

    /** Runs a create statement in a scratch in-memory database and reads the table back. */
    private static DuckDBTableSchema ofCreateStatement(String createSql, TableIdentifier table)
            throws SQLException {
        try (Connection scratch = DuckDBDriverConnections.inMemory();
                Statement st = scratch.createStatement()) {
            if (table.schema().isPresent()) {
                st.execute(
                        "CREATE SCHEMA IF NOT EXISTS "
                                + SqlIdentifiers.quote(table.schema().get()));
            }
            st.execute(stripCatalog(createSql, table));
            TableIdentifier local =
                    new TableIdentifier(null, table.schema().orElse(null), table.table());
            return DuckDBTableSchemaReader.read(scratch, local)
                    .orElseThrow(
                            () ->
                                    new SQLException(
                                            "the statement does not create a table named " + table))
                    .withIdentifier(table);
        }
    }

    private static String stripCatalog(String createSql, TableIdentifier table) {
        // A catalog-qualified statement cannot run in the scratch database; the catalog part
        // does not change the columns.
        if (!table.catalog().isPresent()) {
            return createSql;
        }
        String catalog = table.catalog().get();
        return createSql
                .replace(SqlIdentifiers.quote(catalog) + ".", "")
                .replace(catalog + ".", "");
    }
}
