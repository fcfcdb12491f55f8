package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The README's demo: runs the orders example ({@code examples/otter-orders}) with {@code otter run}
 * on the embedded MiniCluster, writing below a fresh output folder, then prints row counts and a
 * sample query over the Parquet files and the DuckDB tables.
 *
 * <pre>mvn -B -Potter-demo -pl otter-cli -am package -DskipTests</pre>
 */
public final class OtterDemo {

    private OtterDemo() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: OtterDemo <project folder> <output folder>");
            System.exit(2);
        }
        Path project = Path.of(args[0]).toAbsolutePath().normalize();
        Path out = Path.of(args[1]).toAbsolutePath().normalize();
        deleteRecursively(out);
        Files.createDirectories(out);
        System.out.println("== otter run: " + project + " -> " + out);
        int code =
                OtterCli.execute(
                        new String[] {
                            "--project",
                            project.toString(),
                            "--var",
                            "OTTER_OUTPUT=" + out,
                            "run",
                            "--fresh",
                            "--checkpoint-interval",
                            "1s",
                            "--progress-interval",
                            "0",
                            "--log-level",
                            "WARN",
                            "--state-dir",
                            out.resolve("state").toString()
                        },
                        System.out,
                        System.err);
        if (code != 0) {
            System.exit(code);
        }
        String parquet = out.resolve("parquet").toString();
        try (Connection c =
                        DuckDBDriverConnections.connect(
                                "jdbc:duckdb:" + out.resolve("warehouse.duckdb"),
                                new java.util.Properties());
                Statement st = c.createStatement()) {
            print(
                    st,
                    "Row counts (DuckDB tables, Parquet files, dead letters)",
                    "SELECT 'orders' AS model, (SELECT count(*) FROM orders) AS duckdb_rows,"
                            + " (SELECT count(*) FROM read_parquet("
                            + SqlIdentifiers.literal(parquet + "/orders/**/*.parquet")
                            + ")) AS parquet_rows"
                            + " UNION ALL SELECT 'purchases', (SELECT count(*) FROM purchases),"
                            + " (SELECT count(*) FROM read_parquet("
                            + SqlIdentifiers.literal(parquet + "/purchases/**/*.parquet")
                            + "))"
                            + " UNION ALL SELECT 'dead letters', NULL, (SELECT count(*) FROM"
                            + " read_parquet("
                            + SqlIdentifiers.literal(out + "/dlq/**/*.parquet")
                            + "))");
            print(
                    st,
                    "Revenue per currency, from the Parquet files (partitioned by currency)",
                    "SELECT currency, count(*) AS orders, sum(order_total) AS revenue"
                            + " FROM read_parquet("
                            + SqlIdentifiers.literal(parquet + "/orders/**/*.parquet")
                            + ") GROUP BY currency ORDER BY currency");
            print(
                    st,
                    "Best sellers, from DuckDB",
                    "SELECT sku, product_name, sum(quantity) AS units, sum(line_total) AS revenue"
                            + " FROM purchases GROUP BY ALL ORDER BY revenue DESC");
            print(
                    st,
                    "Dead letters",
                    "SELECT stage, error FROM read_parquet("
                            + SqlIdentifiers.literal(out + "/dlq/**/*.parquet")
                            + ") ORDER BY message_number");
        }
        System.out.println("Output: " + out);
        System.out.println(
                "Query it: duckdb "
                        + out.resolve("warehouse.duckdb")
                        + "   or   SELECT * FROM read_parquet('"
                        + parquet
                        + "/**/*.parquet')");
    }

    private static void print(Statement st, String title, String sql) throws SQLException {
        System.out.println();
        System.out.println("== " + title);
        try (ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            StringBuilder header = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                header.append(i > 1 ? " | " : "").append(md.getColumnLabel(i));
            }
            System.out.println(header);
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    line.append(i > 1 ? " | " : "").append(v == null ? "NULL" : v);
                }
                System.out.println(line);
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
