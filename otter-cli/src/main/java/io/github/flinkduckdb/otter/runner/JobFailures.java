package io.github.flinkduckdb.otter.runner;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The failures of a job, from Flink's exception history ({@code GET /jobs/<id>/exceptions}, {@code
 * exceptionHistory.entries}: one entry per failure, each followed by a restart), sorted into three
 * kinds by the text of their stack trace (which holds every cause's class and message):
 *
 * <ul>
 *   <li>{@link Kind#OUTAGE}: an output that may heal by itself: a file system error ({@code
 *       java.nio.file.*Exception}: access denied, not a directory, a file where a folder belongs),
 *       a full disk, a read-only file system, a DuckDB file locked by another process or a DuckDB
 *       {@code IO Error}. Retried without bound, the backoff growing to 30 s.
 *   <li>{@link Kind#PERMANENT}: the statement or its values are at fault (DuckDB's {@code
 *       Constraint}, {@code Conversion}, {@code Binder}, {@code Parser}, {@code Catalog}, {@code
 *       Mismatch Type}, {@code Invalid Input}, {@code Not implemented} errors): a retry gives the
 *       same answer, so the run fails at once with the cause.
 *   <li>{@link Kind#OTHER}: anything else (a lost broker connection, a crashed task); these count
 *       against {@code --max-restarts}.
 * </ul>
 *
 * Permanent markers win over outage markers: a constraint violation is not healed by waiting.
 */
public final class JobFailures {

    /** How a failure is handled. */
    public enum Kind {
        OUTAGE,
        PERMANENT,
        OTHER
    }

    /** One entry of the exception history. */
    public record Failure(long timestamp, String exceptionName, String taskName, String trace) {

        public Kind kind() {
            return classify(trace == null || trace.isEmpty() ? exceptionName : trace);
        }

        /**
         * What failed, in one line: the cause that names a Parquet output ({@code parquet output
         * orders: ...}), else the task and the deepest cause (a DuckDB output's task is named after
         * its table).
         */
        public String reason() {
            String text = trace == null || trace.isEmpty() ? exceptionName : trace;
            String deepest = null;
            for (String line : text.split("\\R")) {
                String l = line.strip();
                int marker = outputMarker(l);
                if (marker >= 0) {
                    return l.substring(marker);
                }
                if (deepest == null || l.startsWith("Caused by: ")) {
                    if (!l.startsWith("at ") && !l.startsWith("...") && !l.isEmpty()) {
                        deepest = l.startsWith("Caused by: ") ? l.substring(11) : l;
                    }
                }
            }
            String task =
                    taskName == null || taskName.isEmpty() || taskName.equals("null")
                            ? ""
                            : "task '" + taskName + "': ";
            return task + (deepest == null ? String.valueOf(exceptionName) : deepest);
        }
    }

    /** How the Parquet writer names itself in its failures. */
    static final String PARQUET_OUTPUT = "parquet output ";

    private static final String[] PERMANENT_MARKERS = {
        "Constraint Error",
        "Conversion Error",
        "Binder Error",
        "Parser Error",
        "Catalog Error",
        "Mismatch Type Error",
        "Invalid Input Error",
        "Not implemented Error"
    };

    private static final String[] OUTAGE_MARKERS = {
        "java.nio.file.",
        "No space left on device",
        "Disk quota exceeded",
        "Read-only file system",
        "Could not set lock on file",
        "Conflicting lock",
        "Unique file handle conflict",
        "IO Error"
    };

    private JobFailures() {}

    /** The failures in a {@code /jobs/<id>/exceptions} answer, oldest first. */
    public static List<Failure> parse(JsonNode exceptions) {
        List<Failure> out = new ArrayList<>();
        if (exceptions == null) {
            return out;
        }
        for (JsonNode e : exceptions.path("exceptionHistory").path("entries")) {
            out.add(
                    new Failure(
                            e.path("timestamp").asLong(0),
                            e.path("exceptionName").asText(""),
                            e.path("taskName").asText(""),
                            e.path("stacktrace").asText("")));
        }
        out.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        return out;
    }

    /**
     * The kind of a failure with this stack trace (or exception text): by the exceptions' lines,
     * not the stack frames ({@code at java.nio.file.Files...} says nothing about the cause).
     */
    public static Kind classify(String trace) {
        StringBuilder causes = new StringBuilder();
        for (String line : trace.split("\\R")) {
            String l = line.strip();
            if (!l.startsWith("at ") && !l.startsWith("...")) {
                causes.append(l).append('\n');
            }
        }
        String text = causes.toString();
        for (String m : PERMANENT_MARKERS) {
            if (text.contains(m)) {
                return Kind.PERMANENT;
            }
        }
        for (String m : OUTAGE_MARKERS) {
            if (text.contains(m)) {
                return Kind.OUTAGE;
            }
        }
        return Kind.OTHER;
    }

    private static int outputMarker(String line) {
        return line.startsWith("at ") ? -1 : line.indexOf(PARQUET_OUTPUT);
    }
}
