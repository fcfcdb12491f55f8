package io.github.flinkduckdb.schema;

import org.apache.flink.annotation.Internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a table's columns and primary key from DuckDB's catalog functions. */
@Internal
public final class DuckDBTableSchemaReader {

    private DuckDBTableSchemaReader() {}

    /**
     * Reads {@code table}; missing catalog or schema parts resolve to the connection's current
     * database and schema. Returns empty when there is no such table (a view counts as missing).
     */
    public static Optional<DuckDBTableSchema> read(Connection connection, TableIdentifier table)
            throws SQLException {
        TableIdentifier resolved = resolve(connection, table);
        String catalog = resolved.catalog().orElseThrow(IllegalStateException::new);
        String schema = resolved.schema().orElseThrow(IllegalStateException::new);

        String tableSql =
                "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
                        + "WHERE lower(database_name) = lower(?) AND lower(schema_name) = lower(?) "
                        + "AND lower(table_name) = lower(?)";
        TableIdentifier exact;
        try (PreparedStatement ps = connection.prepareStatement(tableSql)) {
            ps.setString(1, catalog);
            ps.setString(2, schema);
            ps.setString(3, resolved.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                exact = new TableIdentifier(rs.getString(1), rs.getString(2), rs.getString(3));
            }
        }

        List<ColumnSchema> columns = new ArrayList<>();
        String columnSql =
                "SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns() "
                        + "WHERE database_name = ? AND schema_name = ? AND table_name = ? "
                        + "ORDER BY column_index";
        try (PreparedStatement ps = connection.prepareStatement(columnSql)) {
            bind(ps, exact);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(
                            new ColumnSchema(
                                    rs.getString(1),
                                    DuckDBType.parse(rs.getString(2)),
                                    rs.getBoolean(3),
                                    rs.getString(4)));
                }
            }
        }

        List<String> primaryKey = new ArrayList<>();
        String pkSql =
                "SELECT k.name FROM (SELECT unnest(constraint_column_names) AS name, "
                        + "unnest(range(len(constraint_column_names))) AS pos "
                        + "FROM duckdb_constraints() WHERE database_name = ? AND schema_name = ? "
                        + "AND table_name = ? AND constraint_type = 'PRIMARY KEY') k ORDER BY k.pos";
        try (PreparedStatement ps = connection.prepareStatement(pkSql)) {
            bind(ps, exact);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    primaryKey.add(rs.getString(1));
                }
            }
        }
        return Optional.of(new DuckDBTableSchema(exact, columns, primaryKey));
    }

    /** Fills in the current database and schema where {@code table} leaves them out. */
    public static TableIdentifier resolve(Connection connection, TableIdentifier table)
            throws SQLException {
        if (table.catalog().isPresent() && table.schema().isPresent()) {
            return table;
        }
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database(), current_schema()")) {
            rs.next();
            return table.withDefaults(rs.getString(1), rs.getString(2));
        }
    }

    private static void bind(PreparedStatement ps, TableIdentifier exact) throws SQLException {
        ps.setString(1, exact.catalog().orElseThrow(IllegalStateException::new));
        ps.setString(2, exact.schema().orElseThrow(IllegalStateException::new));
        ps.setString(3, exact.table());
    }
}
