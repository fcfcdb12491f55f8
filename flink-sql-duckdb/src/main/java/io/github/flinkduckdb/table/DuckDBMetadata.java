package io.github.flinkduckdb.table;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.DuckDBErrorClassifier;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads a table's schema while a job is planned, read-only, so the declared Flink schema can be
 * checked before the job starts. A database that cannot be reached now (MotherDuck without network,
 * a file another process holds) is reported, not failed: the job then checks at run time.
 */
@Internal
final class DuckDBMetadata {

    private DuckDBMetadata() {}

    /** What planning found. */
    static final class Existing {
        /** The table's schema, if it exists. */
        final Optional<DuckDBTableSchema> schema;

        /** Why the database could not be read now, or null when it was read. */
        final String unreachable;

        private Existing(Optional<DuckDBTableSchema> schema, String unreachable) {
            this.schema = schema;
            this.unreachable = unreachable;
        }

        boolean reachable() {
            return unreachable == null;
        }
    }

    /**
     * @param option the option that named the database ({@code path} or {@code url}), for messages
     */
    static Existing readTable(
            DuckDBConnectionProvider connection, TableIdentifier table, String option) {
        Optional<Path> file = connection.localFile();
        if (connection.isInMemory()) {
            return new Existing(Optional.empty(), null);
        }
        if (file.isPresent() && !Files.exists(file.get())) {
            return new Existing(Optional.empty(), null);
        }
        if (file.isPresent() && Files.isDirectory(file.get())) {
            throw new ValidationException(
                    "Option '"
                            + option
                            + "' names "
                            + file.get()
                            + ", which is a directory, not a DuckDB database file");
        }
        try (Connection c = connection.openForReading()) {
            return new Existing(DuckDBTableSchemaReader.read(c, table), null);
        } catch (SQLException e) {
            SQLException clean = connection.scrub(e);
            if (connection.isMotherDuck() || DuckDBErrorClassifier.isLockConflict(e)) {
                return new Existing(Optional.empty(), clean.getMessage());
            }
            throw new ValidationException(
                    "Cannot read "
                            + connection.describe()
                            + " (option '"
                            + option
                            + "') for table "
                            + table
                            + ": "
                            + clean.getMessage(),
                    clean);
        }
    }
}
