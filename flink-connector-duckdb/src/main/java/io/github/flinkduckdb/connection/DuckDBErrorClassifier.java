package io.github.flinkduckdb.connection;

import org.apache.flink.annotation.Internal;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The one classifier of DuckDB errors for every DuckDB call (sink writes and commits, table
 * creation, scans, lookups, the transform's models): it sorts an error into a {@link
 * DuckDBErrorKind} by the messages in its cause chain. DuckDB's JDBC driver reports every failure
 * as a plain {@link java.sql.SQLException} whose message starts with DuckDB's error type, so the
 * message is all there is to go by.
 *
 * <p>The outermost throwable of the chain whose message matches a row decides; within a message the
 * first matching row of this table wins (order matters: a lock conflict is an {@code IO Error}, a
 * configuration conflict a {@code Connection Error}):
 *
 * <table>
 *   <caption>DuckDB messages and their kind</caption>
 *   <tr><th>Message contains</th><th>Kind</th><th>Raised by</th></tr>
 *   <tr><td>{@code Could not set lock on file}, {@code Conflicting lock}</td><td>TRANSIENT</td>
 *       <td>another process holds the file read-write</td></tr>
 *   <tr><td>{@code different configuration than existing connections}</td><td>TRANSIENT</td>
 *       <td>this process has the file open read-only (or read-write) already</td></tr>
 *   <tr><td>{@code Unique file handle conflict}</td><td>TRANSIENT</td>
 *       <td>another database instance of this process still has the file attached: the last
 *       connection of an instance was just closed and the instance is shutting down while this one
 *       opens the file (measured: 2% of opens when two threads open and close connections to one
 *       file), or an in-memory database attached it</td></tr>
 *   <tr><td>{@code Out of Memory Error}, {@code FATAL Error}, {@code INTERNAL Error},
 *       {@code database has been invalidated}, {@code Interrupted}, {@code connection was closed},
 *       {@code Connection Error}</td><td>FATAL</td><td>DuckDB itself failed</td></tr>
 *   <tr><td>{@code Constraint Error}, {@code Conversion Error}, {@code Binder Error},
 *       {@code Parser Error}, {@code Catalog Error}, {@code Invalid Input Error},
 *       {@code Not implemented Error}, {@code Mismatch Type Error}, {@code Permission Error},
 *       {@code Failed to download extension}</td><td>PERMANENT</td>
 *       <td>the statement or its values</td></tr>
 *   <tr><td>{@code Conflict on}, {@code write-write conflict}, {@code Could not commit}</td>
 *       <td>TRANSIENT</td><td>two transactions changed the same rows or catalog entry</td></tr>
 *   <tr><td>{@code IO Error} with {@code No such file}</td><td>FATAL</td>
 *       <td>a file the statement needs is missing</td></tr>
 *   <tr><td>{@code IO Error}</td><td>TRANSIENT</td><td>reading or writing the file failed</td></tr>
 *   <tr><td>anything else (e.g. {@code Out of Range Error})</td><td>PERMANENT</td>
 *       <td>the statement or its values</td></tr>
 * </table>
 */
@Internal
public final class DuckDBErrorClassifier {

    /** One row of the table: a message containing any of {@code markers} is of {@code kind}. */
    private static final class Rule {
        final DuckDBErrorKind kind;
        final List<String> markers;
        final String alsoRequired;

        Rule(DuckDBErrorKind kind, String alsoRequired, String... markers) {
            this.kind = kind;
            this.alsoRequired = alsoRequired;
            this.markers = Collections.unmodifiableList(Arrays.asList(markers));
        }

        boolean matches(String message) {
            if (alsoRequired != null && !message.contains(alsoRequired)) {
                return false;
            }
            for (String marker : markers) {
                if (message.contains(marker)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final String[] LOCK_CONFLICT = {
        "Could not set lock on file", "Conflicting lock"
    };
    private static final String CONFIGURATION_CONFLICT =
            "different configuration than existing connections";
    private static final String FILE_HANDLE_CONFLICT = "Unique file handle conflict";

    private static final List<Rule> RULES =
            Collections.unmodifiableList(
                    Arrays.asList(
                            new Rule(DuckDBErrorKind.TRANSIENT, null, LOCK_CONFLICT),
                            new Rule(DuckDBErrorKind.TRANSIENT, null, CONFIGURATION_CONFLICT),
                            new Rule(DuckDBErrorKind.TRANSIENT, null, FILE_HANDLE_CONFLICT),
                            new Rule(
                                    DuckDBErrorKind.FATAL,
                                    null,
                                    "Out of Memory Error",
                                    "FATAL Error",
                                    "INTERNAL Error",
                                    "database has been invalidated",
                                    "Interrupted",
                                    "connection was closed",
                                    "Connection was closed",
                                    "Connection Error"),
                            new Rule(
                                    DuckDBErrorKind.PERMANENT,
                                    null,
                                    "Constraint Error",
                                    "Conversion Error",
                                    "Binder Error",
                                    "Parser Error",
                                    "Catalog Error",
                                    "Invalid Input Error",
                                    "Not implemented Error",
                                    "Mismatch Type Error",
                                    "Permission Error",
                                    "Failed to download extension"),
                            new Rule(
                                    DuckDBErrorKind.TRANSIENT,
                                    null,
                                    "Conflict on",
                                    "write-write conflict",
                                    "Could not commit"),
                            new Rule(DuckDBErrorKind.FATAL, "IO Error", "No such file"),
                            new Rule(DuckDBErrorKind.TRANSIENT, null, "IO Error")));

    private DuckDBErrorClassifier() {}

    /**
     * The kind of {@code t}: decided by the outermost throwable of its cause chain whose message
     * the table above knows; {@link DuckDBErrorKind#PERMANENT} when none does.
     */
    public static DuckDBErrorKind classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String message = c.getMessage();
            if (message == null) {
                continue;
            }
            for (Rule rule : RULES) {
                if (rule.matches(message)) {
                    return rule.kind;
                }
            }
        }
        return DuckDBErrorKind.PERMANENT;
    }

    /** Whether running the same call again may succeed: {@link DuckDBErrorKind#TRANSIENT}. */
    public static boolean isRetriable(Throwable t) {
        return classify(t) == DuckDBErrorKind.TRANSIENT;
    }

    /**
     * Whether the statement or the values it was given are at fault ({@link
     * DuckDBErrorKind#PERMANENT}), rather than DuckDB or another process.
     */
    public static boolean isPermanent(Throwable t) {
        return classify(t) == DuckDBErrorKind.PERMANENT;
    }

    /** Whether {@code t} says another process holds the database file. */
    public static boolean isLockConflict(Throwable t) {
        return anyMessageContains(t, LOCK_CONFLICT);
    }

    /**
     * Whether {@code t} says this process already has the database open with other settings: DuckDB
     * keeps one database instance per file and process, so a read-only connection cannot open a
     * file this process has open read-write, nor the other way round. Transient: readers hold their
     * connections briefly.
     */
    public static boolean isConfigurationConflict(Throwable t) {
        return anyMessageContains(t, CONFIGURATION_CONFLICT);
    }

    private static boolean anyMessageContains(Throwable t, String... markers) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String message = String.valueOf(c.getMessage());
            for (String marker : markers) {
                if (message.contains(marker)) {
                    return true;
                }
            }
        }
        return false;
    }
}
