package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.sink.BookkeepingTables;
import io.github.flinkduckdb.table.DuckDBDynamicTableFactory;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.CatalogDatabase;
import org.apache.flink.table.catalog.CatalogDatabaseImpl;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.exceptions.CatalogException;
import org.apache.flink.table.catalog.exceptions.DatabaseAlreadyExistException;
import org.apache.flink.table.catalog.exceptions.DatabaseNotEmptyException;
import org.apache.flink.table.catalog.exceptions.DatabaseNotExistException;
import org.apache.flink.table.catalog.exceptions.TableAlreadyExistException;
import org.apache.flink.table.catalog.exceptions.TableNotExistException;
import org.apache.flink.table.factories.Factory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A Flink catalog over one DuckDB database (a file or MotherDuck): its schemas are Flink databases
 * ({@code main} is the default) and its tables are Flink tables whose schema, primary key included,
 * is read from DuckDB. So {@code SELECT * FROM duck.main.orders} and {@code INSERT INTO
 * duck.main.orders ...} work without DDL, and {@code CREATE TABLE} / {@code DROP TABLE} in the
 * catalog create and drop DuckDB tables (types as in {@link DuckDBTypeMapping}).
 *
 * <p>Every call opens a short-lived connection: read-only for reading metadata, read-write for DDL.
 * Views, functions, partitions and statistics are not supported (empty or an error). Table options
 * such as {@code sink.delivery-guarantee} are given per query with a {@code /*+ OPTIONS(...)
 * *}{@code /} hint; the catalog stores none. A MotherDuck token given to the catalog stays in the
 * catalog and never appears in table options.
 *
 * <p>This class checks existence and answers with Flink's catalog exceptions; {@link
 * DuckDBCatalogReader} reads schemas and tables, {@link DuckDBCatalogDdl} runs the DDL, and {@link
 * UnsupportedCatalogOperations} answers what DuckDB has no counterpart for.
 */
@PublicEvolving
public class DuckDBCatalog extends UnsupportedCatalogOperations {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBCatalog.class);

    public static final String DEFAULT_DATABASE = "main";

    private final DuckDBConnectionProvider connection;
    private final CatalogConnections connections;
    private final DuckDBCatalogReader reader;
    private final DuckDBCatalogDdl ddl;

    /**
     * @param byPath whether the catalog was given a 'path' (its tables then carry 'path', else
     *     'url')
     */
    public DuckDBCatalog(
            String name,
            String defaultDatabase,
            DuckDBConnectionProvider connection,
            boolean byPath) {
        super(name, defaultDatabase);
        this.connection = connection;
        this.connections = new CatalogConnections(name, connection);
        this.reader = new DuckDBCatalogReader(connections, byPath);
        this.ddl = new DuckDBCatalogDdl(connections);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void open() throws CatalogException {
        Optional<Path> file = connection.localFile();
        try {
            if (file.isPresent() && !Files.exists(file.get())) {
                // A new database: create the file so that reads work from the start.
                try (Connection c = connections.write()) {
                    LOG.info("Catalog {} created {}", getName(), connection.describe());
                }
            }
            try (Connection c = connections.read()) {
                if (!DuckDBCatalogReader.schemaExists(c, getDefaultDatabase())) {
                    throw new CatalogException(
                            "Catalog '"
                                    + getName()
                                    + "': the default database '"
                                    + getDefaultDatabase()
                                    + "' is not a schema of "
                                    + connection.describe());
                }
            }
        } catch (SQLException e) {
            throw connections.failure("open " + connection.describe(), e);
        }
    }

    @Override
    public void close() throws CatalogException {
        // Connections are opened per call.
    }

    @Override
    public Optional<Factory> getFactory() {
        return Optional.of(new DuckDBDynamicTableFactory(connection.token().orElse(null)));
    }

    // ------------------------------------------------------------------ databases

    @Override
    public List<String> listDatabases() throws CatalogException {
        return reader.schemas();
    }

    @Override
    public CatalogDatabase getDatabase(String databaseName)
            throws DatabaseNotExistException, CatalogException {
        if (!databaseExists(databaseName)) {
            throw new DatabaseNotExistException(getName(), databaseName);
        }
        return new CatalogDatabaseImpl(Collections.emptyMap(), "DuckDB schema " + databaseName);
    }

    @Override
    public boolean databaseExists(String databaseName) throws CatalogException {
        return reader.schemaExists(databaseName);
    }

    @Override
    public void createDatabase(String name, CatalogDatabase database, boolean ignoreIfExists)
            throws DatabaseAlreadyExistException, CatalogException {
        if (databaseExists(name)) {
            if (ignoreIfExists) {
                return;
            }
            throw new DatabaseAlreadyExistException(getName(), name);
        }
        ddl.createSchema(name);
    }

    @Override
    public void dropDatabase(String name, boolean ignoreIfNotExists, boolean cascade)
            throws DatabaseNotExistException, DatabaseNotEmptyException, CatalogException {
        if (!databaseExists(name)) {
            if (ignoreIfNotExists) {
                return;
            }
            throw new DatabaseNotExistException(getName(), name);
        }
        if (!cascade && !allTables(name).isEmpty()) {
            throw new DatabaseNotEmptyException(getName(), name);
        }
        ddl.dropSchema(name, cascade);
    }

    // ------------------------------------------------------------------ tables

    /**
     * The schema's base tables, without the sink's bookkeeping tables ({@code
     * _flink_duckdb_commits}, {@code _flink_duckdb_batches}): they are not data to query or insert
     * into from Flink, though {@code getTable} still finds them by name.
     */
    @Override
    public List<String> listTables(String databaseName)
            throws DatabaseNotExistException, CatalogException {
        List<String> out = new ArrayList<>(allTables(databaseName));
        out.remove(BookkeepingTables.COMMITS_TABLE);
        out.remove(BookkeepingTables.BATCHES_TABLE);
        return out;
    }

    private List<String> allTables(String databaseName)
            throws DatabaseNotExistException, CatalogException {
        if (!databaseExists(databaseName)) {
            throw new DatabaseNotExistException(getName(), databaseName);
        }
        return reader.tables(databaseName);
    }

    @Override
    public List<String> listViews(String databaseName)
            throws DatabaseNotExistException, CatalogException {
        if (!databaseExists(databaseName)) {
            throw new DatabaseNotExistException(getName(), databaseName);
        }
        return Collections.emptyList();
    }

    @Override
    public CatalogBaseTable getTable(ObjectPath tablePath)
            throws TableNotExistException, CatalogException {
        DuckDBTableSchema duck =
                reader.tableSchema(tablePath)
                        .orElseThrow(() -> new TableNotExistException(getName(), tablePath));
        return reader.toCatalogTable(tablePath, duck);
    }

    @Override
    public boolean tableExists(ObjectPath tablePath) throws CatalogException {
        return reader.tableSchema(tablePath).isPresent();
    }

    @Override
    public void dropTable(ObjectPath tablePath, boolean ignoreIfNotExists)
            throws TableNotExistException, CatalogException {
        if (!tableExists(tablePath)) {
            if (ignoreIfNotExists) {
                return;
            }
            throw new TableNotExistException(getName(), tablePath);
        }
        ddl.dropTable(tablePath);
    }

    @Override
    public void renameTable(ObjectPath tablePath, String newTableName, boolean ignoreIfNotExists)
            throws TableNotExistException, TableAlreadyExistException, CatalogException {
        if (!tableExists(tablePath)) {
            if (ignoreIfNotExists) {
                return;
            }
            throw new TableNotExistException(getName(), tablePath);
        }
        ObjectPath target = new ObjectPath(tablePath.getDatabaseName(), newTableName);
        if (tableExists(target)) {
            throw new TableAlreadyExistException(getName(), target);
        }
        ddl.renameTable(tablePath, newTableName);
    }

    @Override
    public void createTable(ObjectPath tablePath, CatalogBaseTable table, boolean ignoreIfExists)
            throws TableAlreadyExistException, DatabaseNotExistException, CatalogException {
        if (!databaseExists(tablePath.getDatabaseName())) {
            throw new DatabaseNotExistException(getName(), tablePath.getDatabaseName());
        }
        ResolvedCatalogTable resolved = ddl.checkCreatable(tablePath, table);
        if (tableExists(tablePath)) {
            if (ignoreIfExists) {
                return;
            }
            throw new TableAlreadyExistException(getName(), tablePath);
        }
        ddl.createTable(tablePath, resolved);
    }
}
