package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.connection.DuckDBConnectionOptions;
import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.schema.TableSchema;
import io.github.flinkduckdb.schema.TableSchemaReader;
import io.github.flinkduckdb.sink.internal.TargetTable;
import io.github.flinkduckdb.table.DuckDBConnectorOptions;
import io.github.flinkduckdb.table.DuckDBDynamicTableFactory;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.AbstractCatalog;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.CatalogDatabase;
import org.apache.flink.table.catalog.CatalogDatabaseImpl;
import org.apache.flink.table.catalog.CatalogFunction;
import org.apache.flink.table.catalog.CatalogPartition;
import org.apache.flink.table.catalog.CatalogPartitionSpec;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.exceptions.CatalogException;
import org.apache.flink.table.catalog.exceptions.DatabaseAlreadyExistException;
import org.apache.flink.table.catalog.exceptions.DatabaseNotEmptyException;
import org.apache.flink.table.catalog.exceptions.DatabaseNotExistException;
import org.apache.flink.table.catalog.exceptions.FunctionNotExistException;
import org.apache.flink.table.catalog.exceptions.PartitionNotExistException;
import org.apache.flink.table.catalog.exceptions.TableAlreadyExistException;
import org.apache.flink.table.catalog.exceptions.TableNotExistException;
import org.apache.flink.table.catalog.exceptions.TableNotPartitionedException;
import org.apache.flink.table.catalog.stats.CatalogColumnStatistics;
import org.apache.flink.table.catalog.stats.CatalogTableStatistics;
import org.apache.flink.table.expressions.Expression;
import org.apache.flink.table.factories.Factory;
import org.apache.flink.table.types.DataType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 */
@PublicEvolving
public class DuckDBCatalog extends AbstractCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBCatalog.class);

    public static final String DEFAULT_DATABASE = "main";

    private static final List<String> INTERNAL_SCHEMAS =
            java.util.Arrays.asList("information_schema", "pg_catalog");

    private final DuckDBConnectionOptions connection;
    private final boolean byPath;

    /**
     * @param byPath whether the catalog was given a 'path' (its tables then carry 'path', else
     *     'url')
     */
    public DuckDBCatalog(
            String name,
            String defaultDatabase,
            DuckDBConnectionOptions connection,
            boolean byPath) {
        super(name, defaultDatabase);
        this.connection = connection;
        this.byPath = byPath;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void open() throws CatalogException {
        Optional<Path> file = connection.localFile();
        try {
            if (file.isPresent() && !Files.exists(file.get())) {
                // A new database: create the file so that reads work from the start.
                try (Connection c = connection.open()) {
                    LOG.info("Catalog {} created {}", getName(), connection.describe());
                }
            }
            try (Connection c = read()) {
                if (!databaseExists(c, getDefaultDatabase())) {
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
            throw failure("open " + connection.describe(), e);
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

    private Connection read() throws SQLException {
        return connection.openForReading();
    }

    private Connection write() throws SQLException {
        return connection.open();
    }

    private CatalogException failure(String what, Exception e) {
        Exception clean = e instanceof SQLException ? connection.scrub((SQLException) e) : e;
        return new CatalogException(
                "Catalog '" + getName() + "' could not " + what + ": " + clean.getMessage(), clean);
    }

    // ------------------------------------------------------------------ databases

    @Override
    public List<String> listDatabases() throws CatalogException {
        try (Connection c = read();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT DISTINCT schema_name FROM duckdb_schemas() "
                                        + "WHERE database_name = current_database() ORDER BY 1")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                if (!INTERNAL_SCHEMAS.contains(rs.getString(1))) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("list the schemas of " + connection.describe(), e);
        }
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
        try (Connection c = read()) {
            return databaseExists(c, databaseName);
        } catch (SQLException e) {
            throw failure("check schema " + databaseName, e);
        }
    }

    private static boolean databaseExists(Connection c, String databaseName) throws SQLException {
        if (INTERNAL_SCHEMAS.contains(databaseName)) {
            return false;
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT 1 FROM duckdb_schemas() WHERE database_name = current_database() "
                                + "AND schema_name = ?")) {
            ps.setString(1, databaseName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
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
        execute("create schema " + name, "CREATE SCHEMA " + SqlIdentifiers.quote(name));
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
        execute(
                "drop schema " + name,
                "DROP SCHEMA " + SqlIdentifiers.quote(name) + (cascade ? " CASCADE" : ""));
    }

    @Override
    public void alterDatabase(String name, CatalogDatabase newDatabase, boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException(
                "Catalog '" + getName() + "': DuckDB schemas have no properties to alter");
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
        out.remove(TargetTable.COMMITS_TABLE);
        out.remove(TargetTable.BATCHES_TABLE);
        return out;
    }

    private List<String> allTables(String databaseName)
            throws DatabaseNotExistException, CatalogException {
        if (!databaseExists(databaseName)) {
            throw new DatabaseNotExistException(getName(), databaseName);
        }
        try (Connection c = read();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                                        + "AND schema_name = ? AND NOT internal ORDER BY table_name")) {
            ps.setString(1, databaseName);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("list the tables of schema " + databaseName, e);
        }
    }

    @Override
    public List<String> listViews(String databaseName)
            throws DatabaseNotExistException, CatalogException {
        if (!databaseExists(databaseName)) {
            throw new DatabaseNotExistException(getName(), databaseName);
        }
        return Collections.emptyList();
    }

    private static TableIdentifier identifier(ObjectPath path) {
        return new TableIdentifier(null, path.getDatabaseName(), path.getObjectName());
    }

    private Optional<TableSchema> readSchema(ObjectPath path) {
        try (Connection c = read()) {
            return TableSchemaReader.read(c, identifier(path));
        } catch (SQLException e) {
            throw failure("read table " + path.getFullName(), e);
        }
    }

    @Override
    public CatalogBaseTable getTable(ObjectPath tablePath)
            throws TableNotExistException, CatalogException {
        TableSchema duck =
                readSchema(tablePath)
                        .orElseThrow(() -> new TableNotExistException(getName(), tablePath));
        Schema.Builder schema = Schema.newBuilder();
        List<String> skipped = new ArrayList<>();
        for (ColumnSchema column : duck.columns()) {
            DataType type;
            try {
                type = DuckDBTypeMapping.toFlink(column.type(), column.name());
            } catch (ValidationException e) {
                skipped.add(column.name() + " " + column.type().toSql());
                continue;
            }
            boolean key = containsIgnoreCase(duck.primaryKey(), column.name());
            schema.column(column.name(), !column.nullable() || key ? type.notNull() : type);
        }
        if (!skipped.isEmpty()) {
            LOG.warn(
                    "Table {} of catalog {}: columns without a Flink type are left out: {}",
                    tablePath.getFullName(),
                    getName(),
                    skipped);
        }
        if (!duck.primaryKey().isEmpty()) {
            schema.primaryKeyNamed("PK_" + tablePath.getObjectName(), duck.primaryKey());
        }
        Map<String, String> options = new HashMap<>();
        options.put("connector", DuckDBDynamicTableFactory.IDENTIFIER);
        if (byPath) {
            options.put(
                    DuckDBConnectorOptions.PATH.key(),
                    connection.localFile().map(Path::toString).orElse(connection.url()));
        } else {
            options.put(DuckDBConnectorOptions.URL.key(), connection.redactedUrl());
        }
        options.put(
                DuckDBConnectorOptions.TABLE_NAME.key(),
                new TableIdentifier(
                                null,
                                duck.identifier().schema().orElse(null),
                                duck.identifier().table())
                        .toSql());
        return CatalogTable.newBuilder()
                .schema(schema.build())
                .comment(
                        "DuckDB table "
                                + duck.identifier()
                                + (skipped.isEmpty() ? "" : "; left out: " + skipped))
                .partitionKeys(Collections.emptyList())
                .options(options)
                .build();
    }

    private static boolean containsIgnoreCase(List<String> names, String name) {
        for (String n : names) {
            if (n.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean tableExists(ObjectPath tablePath) throws CatalogException {
        return readSchema(tablePath).isPresent();
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
        execute(
                "drop table " + tablePath.getFullName(),
                "DROP TABLE " + identifier(tablePath).toSql());
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
        execute(
                "rename table " + tablePath.getFullName(),
                "ALTER TABLE "
                        + identifier(tablePath).toSql()
                        + " RENAME TO "
                        + SqlIdentifiers.quote(newTableName));
    }

    @Override
    public void createTable(ObjectPath tablePath, CatalogBaseTable table, boolean ignoreIfExists)
            throws TableAlreadyExistException, DatabaseNotExistException, CatalogException {
        if (!databaseExists(tablePath.getDatabaseName())) {
            throw new DatabaseNotExistException(getName(), tablePath.getDatabaseName());
        }
        if (!(table instanceof ResolvedCatalogTable)) {
            throw new CatalogException(
                    "Catalog '"
                            + getName()
                            + "' creates tables only (no views): "
                            + tablePath.getFullName());
        }
        ResolvedCatalogTable resolved = (ResolvedCatalogTable) table;
        for (Map.Entry<String, String> option : resolved.getOptions().entrySet()) {
            boolean connector =
                    option.getKey().equals("connector")
                            && option.getValue().equals(DuckDBDynamicTableFactory.IDENTIFIER);
            if (!connector) {
                throw new CatalogException(
                        "Catalog '"
                                + getName()
                                + "' stores no table options, but CREATE TABLE "
                                + tablePath.getFullName()
                                + " has '"
                                + option.getKey()
                                + "'; leave WITH (...) out and give sink or scan options per query with /*+ OPTIONS(...) */");
            }
        }
        if (resolved.isPartitioned()) {
            throw new CatalogException(
                    "Catalog '"
                            + getName()
                            + "': DuckDB tables are not partitioned ("
                            + tablePath.getFullName()
                            + ")");
        }
        if (tableExists(tablePath)) {
            if (ignoreIfExists) {
                return;
            }
            throw new TableAlreadyExistException(getName(), tablePath);
        }
        TableSchema schema;
        try {
            schema =
                    DuckDBTypeMapping.toDuckDBSchema(
                            resolved.getResolvedSchema(), identifier(tablePath));
        } catch (ValidationException e) {
            throw new CatalogException(
                    "Catalog '"
                            + getName()
                            + "' cannot create table "
                            + tablePath.getFullName()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        execute("create table " + tablePath.getFullName(), schema.toCreateTableSql(false));
    }

    @Override
    public void alterTable(
            ObjectPath tablePath, CatalogBaseTable newTable, boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException(
                "Catalog '"
                        + getName()
                        + "' does not alter tables ("
                        + tablePath.getFullName()
                        + "); run ALTER TABLE in DuckDB");
    }

    private void execute(String what, String sql) {
        try (Connection c = write();
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw failure(what + " in " + connection.describe(), e);
        }
    }

    // ------------------------------------------------------------------ partitions (none)

    @Override
    public List<CatalogPartitionSpec> listPartitions(ObjectPath tablePath)
            throws TableNotPartitionedException, CatalogException {
        throw new TableNotPartitionedException(getName(), tablePath);
    }

    @Override
    public List<CatalogPartitionSpec> listPartitions(
            ObjectPath tablePath, CatalogPartitionSpec partitionSpec)
            throws TableNotPartitionedException, CatalogException {
        throw new TableNotPartitionedException(getName(), tablePath);
    }

    @Override
    public List<CatalogPartitionSpec> listPartitionsByFilter(
            ObjectPath tablePath, List<Expression> filters)
            throws TableNotPartitionedException, CatalogException {
        throw new TableNotPartitionedException(getName(), tablePath);
    }

    @Override
    public CatalogPartition getPartition(ObjectPath tablePath, CatalogPartitionSpec partitionSpec)
            throws PartitionNotExistException, CatalogException {
        throw new PartitionNotExistException(getName(), tablePath, partitionSpec);
    }

    @Override
    public boolean partitionExists(ObjectPath tablePath, CatalogPartitionSpec partitionSpec)
            throws CatalogException {
        return false;
    }

    @Override
    public void createPartition(
            ObjectPath tablePath,
            CatalogPartitionSpec partitionSpec,
            CatalogPartition partition,
            boolean ignoreIfExists)
            throws CatalogException {
        throw new CatalogException("DuckDB tables are not partitioned");
    }

    @Override
    public void dropPartition(
            ObjectPath tablePath, CatalogPartitionSpec partitionSpec, boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("DuckDB tables are not partitioned");
    }

    @Override
    public void alterPartition(
            ObjectPath tablePath,
            CatalogPartitionSpec partitionSpec,
            CatalogPartition newPartition,
            boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("DuckDB tables are not partitioned");
    }

    // ------------------------------------------------------------------ functions (none)

    @Override
    public List<String> listFunctions(String dbName) throws CatalogException {
        return Collections.emptyList();
    }

    @Override
    public CatalogFunction getFunction(ObjectPath functionPath)
            throws FunctionNotExistException, CatalogException {
        throw new FunctionNotExistException(getName(), functionPath);
    }

    @Override
    public boolean functionExists(ObjectPath functionPath) throws CatalogException {
        return false;
    }

    @Override
    public void createFunction(
            ObjectPath functionPath, CatalogFunction function, boolean ignoreIfExists)
            throws CatalogException {
        throw new CatalogException("Catalog '" + getName() + "' does not store functions");
    }

    @Override
    public void alterFunction(
            ObjectPath functionPath, CatalogFunction newFunction, boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("Catalog '" + getName() + "' does not store functions");
    }

    @Override
    public void dropFunction(ObjectPath functionPath, boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("Catalog '" + getName() + "' does not store functions");
    }

    // ------------------------------------------------------------------ statistics (unknown)

    @Override
    public CatalogTableStatistics getTableStatistics(ObjectPath tablePath) throws CatalogException {
        return CatalogTableStatistics.UNKNOWN;
    }

    @Override
    public CatalogColumnStatistics getTableColumnStatistics(ObjectPath tablePath)
            throws CatalogException {
        return CatalogColumnStatistics.UNKNOWN;
    }

    @Override
    public CatalogTableStatistics getPartitionStatistics(
            ObjectPath tablePath, CatalogPartitionSpec partitionSpec) throws CatalogException {
        return CatalogTableStatistics.UNKNOWN;
    }

    @Override
    public CatalogColumnStatistics getPartitionColumnStatistics(
            ObjectPath tablePath, CatalogPartitionSpec partitionSpec) throws CatalogException {
        return CatalogColumnStatistics.UNKNOWN;
    }

    @Override
    public void alterTableStatistics(
            ObjectPath tablePath, CatalogTableStatistics tableStatistics, boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("Catalog '" + getName() + "' does not store statistics");
    }

    @Override
    public void alterTableColumnStatistics(
            ObjectPath tablePath,
            CatalogColumnStatistics columnStatistics,
            boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("Catalog '" + getName() + "' does not store statistics");
    }

    @Override
    public void alterPartitionStatistics(
            ObjectPath tablePath,
            CatalogPartitionSpec partitionSpec,
            CatalogTableStatistics partitionStatistics,
            boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("Catalog '" + getName() + "' does not store statistics");
    }

    @Override
    public void alterPartitionColumnStatistics(
            ObjectPath tablePath,
            CatalogPartitionSpec partitionSpec,
            CatalogColumnStatistics columnStatistics,
            boolean ignoreIfNotExists)
            throws CatalogException {
        throw new CatalogException("Catalog '" + getName() + "' does not store statistics");
    }
}
