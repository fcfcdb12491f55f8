package io.github.flinkduckdb.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and prepares real DuckDB files for tests, the way a user would check them. */
public final class DuckDBTestDatabase {

    private final String url;

    private DuckDBTestDatabase(String url) {
        this.url = url;
    }

    public static DuckDBTestDatabase at(Path file) {
        return new DuckDBTestDatabase("jdbc:duckdb:" + file.toAbsolutePath());
    }

    public String url() {
        return url;
    }

    public void execute(String... statements) {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Statement failed: " + e.getMessage(), e);
        }
    }

    public long count(String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    public Object value(String sql) {
        List<Map<String, Object>> rows = rows(sql);
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new IllegalStateException("Expected one value from " + sql + ", got " + rows);
        }
        return rows.get(0).values().iterator().next();
    }

    public List<Map<String, Object>> rows(String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** The rows of a query as strings ({@code CAST(... AS VARCHAR)} is DuckDB's own rendering). */
    public List<String> strings(String sql) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> row : rows(sql)) {
            out.add(String.valueOf(row.values().iterator().next()));
        }
        return out;
    }
}
