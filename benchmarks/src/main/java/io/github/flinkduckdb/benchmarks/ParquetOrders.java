package io.github.flinkduckdb.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * Orders readable in the Parquet output, counted from the files' footers through one long-lived
 * in-memory DuckDB connection in one thread (opening a database per poll, or DuckDB's worker
 * threads, would compete for the two cores with the pipeline it measures). A published file is
 * complete and never changes (the committer renames whole files or folders into the output tree),
 * so each is read once: a poll lists the folder and reads the new files' footers only.
 */
final class ParquetOrders implements AutoCloseable {
    private final Path folder;
    private final java.sql.Connection duck;
    private final Map<Path, Long> counted = new java.util.HashMap<>();
    private long total;

    ParquetOrders(Path project) throws java.sql.SQLException {
        this.folder = project.resolve("out/orders");
        this.duck = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = duck.createStatement()) {
            st.execute("SET threads = 1");
        }
    }

    long count() throws java.io.IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        List<Path> files;
        try (java.util.stream.Stream<Path> walk = Files.walk(folder)) {
            files =
                    walk.filter(f -> f.getFileName().toString().endsWith(".parquet"))
                            .filter(f -> !counted.containsKey(f))
                            .collect(java.util.stream.Collectors.toList());
        } catch (java.io.UncheckedIOException renamedWhileListed) {
            return total;
        }
        for (Path file : files) {
            try (Statement st = duck.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT count(*) FROM read_parquet('"
                                            + file.toString().replace("'", "''")
                                            + "')")) {
                rs.next();
                counted.put(file, rs.getLong(1));
                total += rs.getLong(1);
            } catch (java.sql.SQLException movedOn) {
                // renamed into its folder since the listing: found again on the next poll
            }
        }
        return total;
    }

    @Override
    public void close() throws java.sql.SQLException {
        duck.close();
    }
}
