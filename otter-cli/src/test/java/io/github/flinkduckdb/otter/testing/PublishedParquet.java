package io.github.flinkduckdb.otter.testing;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a reader of an otter Parquet output sees: the published files of a model (rows, distinct
 * keys) and the files still staged (invisible to readers) under the output's staging folder.
 */
public final class PublishedParquet {

    private final Path parquet;
    private final Path staging;

    /**
     * The output {@code <out>/parquet} with its staging folder {@code
     * <out>/.parquet.otter-staging}.
     */
    public PublishedParquet(Path out) {
        this.parquet = out.resolve("parquet");
        this.staging = out.resolve(".parquet.otter-staging");
    }

    /** Rows of the model's published files: 0 when there is none. */
    public long rows(String model) throws IOException, SQLException {
        return query(model, "count(*)");
    }

    /** Distinct values of {@code column} in the model's published files. */
    public long distinct(String model, String column) throws IOException, SQLException {
        return query(model, "count(DISTINCT \"" + column + "\")");
    }

    /**
     * The model's published files as a relation for DuckDB ({@code read_parquet} of every {@code
     * .parquet} file under the model's folder, partitions included).
     */
    public String files(String model) {
        return "read_parquet('"
                + parquet.resolve(model).toString().replace("'", "''")
                + "/**/*.parquet')";
    }

    /** Regular files left in the staging folder (chunks, rolls being committed). */
    public List<Path> staged() throws IOException {
        if (!Files.isDirectory(staging)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(staging)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private long query(String model, String aggregate) throws IOException, SQLException {
        Path dir = parquet.resolve(model);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
        }
        if (files.isEmpty()) {
            return 0;
        }
        String list =
                files.stream()
                        .map(p -> "'" + p.toString().replace("'", "''") + "'")
                        .collect(Collectors.joining(", ", "[", "]"));
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT " + aggregate + " FROM read_parquet(" + list + ")")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
