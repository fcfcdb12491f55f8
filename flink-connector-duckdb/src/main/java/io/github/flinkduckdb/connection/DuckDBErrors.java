package io.github.flinkduckdb.connection;

import org.apache.flink.annotation.Internal;

import java.sql.SQLException;

/**
 * Sorts DuckDB errors into retriable (a file lock held by another process, a write-write conflict
 * between transactions, transient I/O) and permanent (constraint, conversion, binder, parser,
 * catalog errors): only the first kind is worth a retry.
 */
@Internal
public final class DuckDBErrors {

    private DuckDBErrors() {}

    public static boolean isRetriable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                String m = String.valueOf(c.getMessage());
                if (isPermanentMessage(m)) {
                    return false;
                }
                if (isLockConflict(c)
                        || isConfigurationConflict(c)
                        || m.contains("Conflict on")
                        || m.contains("write-write conflict")
                        || m.contains("Could not commit")
                        || (m.contains("IO Error") && !m.contains("No such file"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code t} says another process holds the database file. */
    public static boolean isLockConflict(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("Could not set lock on file") || m.contains("Conflicting lock")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code t} says this process already has the database open with other settings: DuckDB
     * keeps one database instance per file and process, so a read-only connection cannot open a
     * file this process has open read-write, nor the other way round. Retriable: readers hold their
     * connections briefly.
     */
    public static boolean isConfigurationConflict(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("different configuration than existing connections")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPermanentMessage(String m) {
        return m.contains("Constraint Error")
                || m.contains("Conversion Error")
                || m.contains("Binder Error")
                || m.contains("Parser Error")
                || m.contains("Catalog Error")
                || m.contains("Invalid Input Error")
                || m.contains("Not implemented Error")
                || m.contains("Mismatch Type Error")
                || m.contains("Failed to download extension")
                || m.contains("Permission Error");
    }
}
