package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.project.FileSourceConfig;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The dead letters of a file source: Parquet files under {@code <dlq_path>/dead_letters/}.
 * Inspecting reads them with DuckDB (oldest file first). Replaying writes the bodies as a
 * JSON-lines file into the source folder (or {@code --target}), named after the replayed files so
 * that a replay interrupted and run again writes the same file once, and then deletes the replayed
 * Parquet files.
 */
final class ParquetDeadLetterFolder implements DeadLetterQueue {

    private final FileSourceConfig config;

    ParquetDeadLetterFolder(FileSourceConfig config) {
        this.config = config;
    }

    private Path folder() {
        return Path.of(config.dlqPath()).resolve(DeadLetterRows.NAME);
    }

    @Override
    public String defaultTarget() {
        Path source = config.file();
        return Files.isDirectory(source) ? source.toString() : null;
    }

    private List<Path> files() throws IOException {
        if (!Files.isDirectory(folder())) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(folder())) {
            // By file name (part-<roll time>-...), also when a roll of several files is a folder.
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .sorted(
                            Comparator.comparing((Path p) -> p.getFileName().toString())
                                    .thenComparing(Comparator.naturalOrder()))
                    .toList();
        }
    }

    @Override
    public List<DeadLetterMessage> inspect(int limit) throws IOException {
        return read(files(), limit);
    }

    private static List<DeadLetterMessage> read(List<Path> files, long limit) throws IOException {
        if (files.isEmpty()) {
            return List.of();
        }
        StringBuilder list = new StringBuilder();
        for (Path f : files) {
            list.append(list.length() == 0 ? "" : ", ")
                    .append(SqlIdentifiers.literal(f.toString()));
        }
        String sql =
                "SELECT filename, file_row_number, stage, model, error, source, body"
                        + " FROM read_parquet(["
                        + list
                        + "], filename = true, file_row_number = true)"
                        + " ORDER BY list_position(["
                        + list
                        + "], filename), file_row_number LIMIT "
                        + limit;
        List<DeadLetterMessage> out = new ArrayList<>();
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put(DeadLetterHeaders.ERROR, nullToEmpty(rs.getString("error")));
                if (rs.getString("model") != null) {
                    headers.put(DeadLetterHeaders.MODEL, rs.getString("model"));
                }
                headers.put(DeadLetterHeaders.STAGE, nullToEmpty(rs.getString("stage")));
                if (rs.getString("source") != null) {
                    headers.put(DeadLetterHeaders.SOURCE, rs.getString("source"));
                }
                String body = rs.getString("body");
                out.add(
                        new DeadLetterMessage(
                                Path.of(rs.getString("filename")).getFileName()
                                        + "#"
                                        + rs.getLong("file_row_number"),
                                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
                                headers));
            }
        } catch (SQLException e) {
            throw new IOException(
                    "Cannot read the dead letters in " + files + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public long replay(String target) throws IOException {
        String to = target != null ? target : defaultTarget();
        if (to == null) {
            throw new IllegalArgumentException(
                    "The file source reads one file ("
                            + config.path()
                            + "); pass --target <folder or file> for the replayed messages");
        }
        List<Path> files = files();
        if (files.isEmpty()) {
            return 0;
        }
        List<DeadLetterMessage> messages = read(files, Long.MAX_VALUE);
        Path targetPath = Path.of(to).toAbsolutePath();
        Path out =
                Files.isDirectory(targetPath)
                        ? targetPath.resolve("dlq-replay-" + digest(files) + ".jsonl")
                        : targetPath;
        if (!Files.exists(out) || !Files.isDirectory(targetPath)) {
            StringBuilder sb = new StringBuilder();
            for (DeadLetterMessage m : messages) {
                sb.append(m.bodyText().replace("\r", "").replace("\n", " ")).append('\n');
            }
            if (Files.isDirectory(targetPath)) {
                // Hidden while written: a watched source folder lists only whole files.
                Path tmp = targetPath.resolve("." + out.getFileName() + ".tmp");
                Files.write(tmp, sb.toString().getBytes(StandardCharsets.UTF_8));
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.write(
                        out,
                        sb.toString().getBytes(StandardCharsets.UTF_8),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
            if (!f.getParent().equals(folder())) {
                try {
                    Files.deleteIfExists(f.getParent()); // the folder of a roll of several files
                } catch (DirectoryNotEmptyException e) {
                    // more of that roll follows in the list
                }
            }
        }
        return messages.size();
    }

    private static String digest(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
