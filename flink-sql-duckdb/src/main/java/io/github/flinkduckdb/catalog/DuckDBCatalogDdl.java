package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.table.DuckDBDynamicTableFactory;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogBaseTable;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.exceptions.CatalogException;

import java.util.Map;

/**
 * The DDL a DuckDB catalog runs in DuckDB: {@code CREATE} / {@code DROP SCHEMA} and {@code CREATE}
 * / {@code DROP} / {@code RENAME TABLE}, each on its own read-write connection. {@code CREATE
 * TABLE} takes a table with no options but the connector (the catalog stores none), unpartitioned,
 * with types as in {@link DuckDBTypeMapping}. Existence checks are the caller's.
 */
final class DuckDBCatalogDdl {

    private final CatalogConnections connections;

    DuckDBCatalogDdl(CatalogConnections connections) {
        this.connections = connections;
    }

    void createSchema(String name) {
        connections.execute("create schema " + name, "CREATE SCHEMA " + SqlIdentifiers.quote(name));
    }

    void dropSchema(String name, boolean cascade) {
        connections.execute(
                "drop schema " + name,
                "DROP SCHEMA " + SqlIdentifiers.quote(name) + (cascade ? " CASCADE" : ""));
    }

    void dropTable(ObjectPath tablePath) {
        connections.execute(
                "drop table " + tablePath.getFullName(),
                "DROP TABLE " + DuckDBCatalogReader.identifier(tablePath).toSql());
    }

    void renameTable(ObjectPath tablePath, String newTableName) {
        connections.execute(
                "rename table " + tablePath.getFullName(),
                "ALTER TABLE "
                        + DuckDBCatalogReader.identifier(tablePath).toSql()
                        + " RENAME TO "
                        + SqlIdentifiers.quote(newTableName));
    }

    /**
     * Checks that {@code table} is one the catalog can create (a table, not a view; no options but
     * the connector; not partitioned) and returns it resolved.
     */
    ResolvedCatalogTable checkCreatable(ObjectPath tablePath, CatalogBaseTable table) {
        String catalog = connections.catalogName();
        if (!(table instanceof ResolvedCatalogTable)) {
            throw new CatalogException(
                    "Catalog '"
                            + catalog
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
                                + catalog
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
                            + catalog
                            + "': DuckDB tables are not partitioned ("
                            + tablePath.getFullName()
                            + ")");
        }
        return resolved;
    }

    /** Creates the table with the DuckDB types of its Flink columns and its primary key. */
    void createTable(ObjectPath tablePath, ResolvedCatalogTable table) {
        DuckDBTableSchema schema;
        try {
            schema =
                    DuckDBTypeMapping.toDuckDBSchema(
                            table.getResolvedSchema(), DuckDBCatalogReader.identifier(tablePath));
        } catch (ValidationException e) {
            throw new CatalogException(
                    "Catalog '"
                            + connections.catalogName()
                            + "' cannot create table "
                            + tablePath.getFullName()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        connections.execute(
                "create table " + tablePath.getFullName(), schema.toCreateTableSql(false));
    }
}
