package io.github.flinkduckdb.testing.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The fault matrix (docs/reliability.md): each fault test records one row, what it injected and
 * what it counted, into {@code target/fault-matrix/} of the module it runs in; at the end of the
 * module's test run {@link FaultMatrixListener} prints the rows recorded there as one table.
 *
 * <p>A row is recorded after the test's assertions passed, so the table shows only measured faults
 * that kept their guarantee; a failing case fails its test instead.
 */
public final class FaultMatrix {

    /**
     * Where rows are written: {@code -Dflinkduckdb.fault-matrix.dir}, else {@code
     * target/fault-matrix}.
     */
    public static Path directory() {
        return Paths.get(System.getProperty("flinkduckdb.fault-matrix.dir", "target/fault-matrix"));
    }

    /**
     * One measured fault.
     *
     * @param fault what was injected, e.g. "DuckDB file system full during a commit"
     * @param where the component it hits, e.g. "DuckDB sink (otter run, MiniCluster)"
     * @param guarantee "exactly-once" or "at-least-once"
     * @param messagesIn messages (or records) the source offered
     * @param rowsOut rows in the output after the run (all of them, duplicates included)
     * @param lost expected rows missing from the output
     * @param duplicated rows in the output more than once (counted beyond the first)
     * @param recovery from the fault's end (space freed, broker back, process restarted) to the
     *     first new output, or {@code null} where nothing stopped
     * @param note what else a reader should know (restarts, dead letters), may be empty
     */
    public record Row(
            String fault,
            String where,
            String guarantee,
            long messagesIn,
            long rowsOut,
            long lost,
            long duplicated,
            Duration recovery,
            String note) {

        String line() {
            return String.join(
                    "\t",
                    clean(fault),
                    clean(where),
                    clean(guarantee),
                    flinkVersion(),
                    Long.toString(messagesIn),
                    Long.toString(rowsOut),
                    Long.toString(lost),
                    Long.toString(duplicated),
                    recovery == null ? "-" : Long.toString(recovery.toMillis()),
                    clean(note == null ? "" : note));
        }

        private static String clean(String s) {
            return s.replace('\t', ' ').replace('\n', ' ').replace('|', '/');
        }
    }

    private FaultMatrix() {}

    /**
     * Writes the row (one file per fault and Flink version, so reruns replace it) and prints it.
     */
    public static void record(Row row) {
        Path dir = directory();
        String name =
                (row.fault() + "-" + row.where() + "-" + row.guarantee() + "-" + flinkVersion())
                                .toLowerCase(Locale.ROOT)
                                .replaceAll("[^a-z0-9.]+", "-")
                        + ".tsv";
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name), row.line() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("fault matrix: " + row.line().replace('\t', '|'));
    }

    /** The rows under {@code dir} as a Markdown table, sorted by fault; empty if there are none. */
    public static String table(Path dir) {
        List<String[]> rows = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".tsv")).sorted().toList()) {
                    for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (!l.isBlank()) {
                            rows.add(l.split("\t", -1));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append(
                "| fault | where | guarantee | Flink | messages in | rows out | lost | duplicated"
                        + " | recovery | note |\n");
        out.append("|---|---|---|---|---:|---:|---:|---:|---:|---|\n");
        for (String[] r : rows) {
            out.append('|');
            for (int i = 0; i < r.length; i++) {
                String cell = r[i];
                if (i == 8 && !cell.equals("-")) {
                    cell = String.format(Locale.ROOT, "%.1f s", Long.parseLong(cell) / 1000.0);
                }
                out.append(' ').append(cell).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Prints the table of the given directories' rows (default: {@link #directory()}). */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.out.print(table(directory()));
        }
        for (String a : args) {
            System.out.print(table(Paths.get(a)));
        }
    }

    /**
     * Flink's version where Flink is on the class path (what the row was measured on), else "-".
     */
    static String flinkVersion() {
        try {
            Class<?> info = Class.forName("org.apache.flink.runtime.util.EnvironmentInformation");
            return (String) info.getMethod("getVersion").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "-";
        }
    }
}
