package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.table.DuckDBConnectorOptions;
import io.github.flinkduckdb.table.DuckDBDynamicTableFactory;

import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.ObjectPath;
import org.apache.flink.table.types.DataType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what a DuckDB catalog shows Flink: the schemas (Flink databases, without DuckDB's internal
 * ones), their tables, and a table's columns and primary key as Flink's {@link CatalogTable} with
 * the options that point the DuckDB connector at it.
 */
final class DuckDBCatalogReader {

    // Logged under the catalog's name, as users configure it.
    private static final Logger LOG = LoggerFactory.getLogger(DuckDBCatalog.class);

    private static final List<String> INTERNAL_SCHEMAS =
            Arrays.asList("information_schema", "pg_catalog");

    private final CatalogConnections connections;
    private final boolean byPath;

    /**
     * @param byPath whether the catalog was given a 'path' (its tables then carry 'path', else
     *     'url')
     */
    DuckDBCatalogReader(CatalogConnections connections, boolean byPath) {
        this.connections = connections;
        this.byPath = byPath;
    }

    static TableIdentifier identifier(ObjectPath path) {
        return new TableIdentifier(null, path.getDatabaseName(), path.getObjectName());
    }

    // ------------------------------------------------------------------ schemas

    List<String> schemas() {
        try (Connection c = connections.read();
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
            throw connections.failure("list the schemas of " + connections.describe(), e);
        }
    }

    boolean schemaExists(String schema) {
        try (Connection c = connections.read()) {
            return schemaExists(c, schema);
        } catch (SQLException e) {
            throw connections.failure("check schema " + schema, e);
        }
    }

    static boolean schemaExists(Connection c, String schema) throws SQLException {
        if (INTERNAL_SCHEMAS.contains(schema)) {
            return false;
        }
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT 1 FROM duckdb_schemas() WHERE database_name = current_database() "
                                + "AND schema_name = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    // ------------------------------------------------------------------ tables

    /** Every base table of an existing schema, the sink's bookkeeping tables included. */
    List<String> tables(String schema) {
        try (Connection c = connections.read();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                                        + "AND schema_name = ? AND NOT internal ORDER BY table_name")) {
            ps.setString(1, schema);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw connections.failure("list the tables of schema " + schema, e);
        }
    }

    /** The table's DuckDB schema; empty when there is no such table. */
    Optional<DuckDBTableSchema> tableSchema(ObjectPath path) {
        try (Connection c = connections.read()) {
            return DuckDBTableSchemaReader.read(c, identifier(path));
        } catch (SQLException e) {
            throw connections.failure("read table " + path.getFullName(), e);
        }
    }

    /**
     * The table as Flink sees it: each column with a Flink type (columns without one are left out,
     * logged and named in the comment), primary key columns NOT NULL, and the connector options
     * that read and write it.
     */
    CatalogTable toCatalogTable(ObjectPath tablePath, DuckDBTableSchema duck) {
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
                    connections.catalogName(),
                    skipped);
        }
        if (!duck.primaryKey().isEmpty()) {
            schema.primaryKeyNamed("PK_" + tablePath.getObjectName(), duck.primaryKey());
        }
        return CatalogTable.newBuilder()
                .schema(schema.build())
                .comment(
                        "DuckDB table "
                                + duck.identifier()
                                + (skipped.isEmpty() ? "" : "; left out: " + skipped))
                .partitionKeys(Collections.emptyList())
                .options(connectorOptions(duck))
                .build();
    }

    /** 'connector', 'path' or 'url' (never the token), and 'table-name'. */
    private Map<String, String> connectorOptions(DuckDBTableSchema duck) {
        Map<String, String> options = new HashMap<>();
        options.put("connector", DuckDBDynamicTableFactory.IDENTIFIER);
        if (byPath) {
            options.put(
                    DuckDBConnectorOptions.PATH.key(),
                    connections
                            .options()
                            .localFile()
                            .map(Path::toString)
                            .orElse(connections.options().url()));
        } else {
            options.put(DuckDBConnectorOptions.URL.key(), connections.options().redactedUrl());
        }
        options.put(
                DuckDBConnectorOptions.TABLE_NAME.key(),
                new TableIdentifier(
                                null,
                                duck.identifier().schema().orElse(null),
                                duck.identifier().table())
                        .toSql());
        return options;
    }

    private static boolean containsIgnoreCase(List<String> names, String name) {
        for (String n : names) {
            if (n.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
