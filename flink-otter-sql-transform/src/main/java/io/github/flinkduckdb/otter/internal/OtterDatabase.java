package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.Internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The in-process DuckDB the models run in, set up the same way when the transform is built (to
 * validate and describe the models) and in each operator instance (to run them).
 *
 * <p>Layout: messages are parsed into {@code __otter.main.batch}, one row per message, in message
 * order, in an attached in-memory catalog the models cannot name (they may only read {@code
 * incoming}). {@code incoming} is a temporary view of the one row whose row id is the variable
 * {@code __otter_pos}: a model run as written sees exactly one message. A row-local model runs
 * batched against {@code __otter.main.batch} under the alias {@code incoming}, with the row id
 * telling each output row's message.
 */
@Internal
public final class OtterDatabase implements AutoCloseable {

    public static final String CATALOG = "__otter";
    public static final String SCHEMA = "main";
    public static final String BATCH_TABLE = "batch";
    public static final String RAW_TABLE = "raw";
    public static final String POSITION_VARIABLE = "__otter_pos";
    public static final String POSITION_COLUMN = "__otter_pos";

    public static final String QUALIFIED_BATCH = CATALOG + "." + SCHEMA + "." + BATCH_TABLE;
    public static final String QUALIFIED_RAW = CATALOG + "." + SCHEMA + "." + RAW_TABLE;

    private final Connection connection;

    private OtterDatabase(Connection connection) {
        this.connection = connection;
    }

    /**
     * Opens a new in-memory DuckDB. Call on the thread that will use it (DuckDB's appender is
     * confined to the thread that creates it).
     *
     * @param tempDirectory where DuckDB may spill, or null to disable spilling
     */
    public static OtterDatabase open(
            IncomingSchema schema, DuckDBSettings settings, Path tempDirectory)
            throws SQLException {
        return open(schema, settings, tempDirectory, false);
    }

    /**
     * Opens a new in-memory DuckDB; for validation ({@code forValidation}) {@code incoming} is an
     * empty table with the incoming columns instead of the view of one message, so DuckDB's
     * messages about a model name it as a table.
     */
    public static OtterDatabase open(
            IncomingSchema schema,
            DuckDBSettings settings,
            Path tempDirectory,
            boolean forValidation)
            throws SQLException {
        // Through DuckDB's driver directly: DriverManager does not see a driver that came with
        // the job jar (user-code class loader) and says "No suitable driver".
        Connection connection = io.github.flinkduckdb.connection.DuckDBDriverConnections.inMemory();
        try (Statement st = connection.createStatement()) {
            st.execute("SET memory_limit = " + SqlIdentifiers.literal(settings.memoryLimit()));
            st.execute("SET threads = " + settings.threads());
            st.execute(
                    "SET temp_directory = "
                            + SqlIdentifiers.literal(
                                    tempDirectory == null ? "" : tempDirectory.toString()));
            if (tempDirectory != null && settings.maxTempDirectorySize() != null) {
                st.execute(
                        "SET max_temp_directory_size = "
                                + SqlIdentifiers.literal(settings.maxTempDirectorySize()));
            }
            st.execute("SET TimeZone = " + SqlIdentifiers.literal(settings.timeZone()));
            // Output must follow message order within a batch.
            st.execute("SET preserve_insertion_order = true");
            // DuckDB 2.0.0's late materialization fails with an INTERNAL error (which invalidates
            // the database) on a top-N over a row-id filter, i.e. `SELECT * FROM incoming ORDER
            // BY x LIMIT n` on the view of one message; it pays off only for large tables.
            st.execute("SET disabled_optimizers = 'late_materialization'");
            st.execute("SET autoinstall_known_extensions = false");
            st.execute("SET autoload_known_extensions = false");
            st.execute("ATTACH ':memory:' AS " + SqlIdentifiers.quote(CATALOG));
            st.execute("CREATE TABLE " + QUALIFIED_RAW + " (seq BIGINT, doc VARCHAR)");
            st.execute("CREATE TABLE " + QUALIFIED_BATCH + " (" + schema.columnDefinitions() + ")");
            st.execute("SET VARIABLE " + POSITION_VARIABLE + " = CAST(-1 AS BIGINT)");
            if (forValidation) {
                st.execute("CREATE TEMP TABLE incoming (" + schema.columnDefinitions() + ")");
            } else {
                st.execute(
                        "CREATE TEMP VIEW incoming AS SELECT * FROM "
                                + QUALIFIED_BATCH
                                + " WHERE rowid = getvariable('"
                                + POSITION_VARIABLE
                                + "')");
            }
            if (!settings.externalAccess()) {
                st.execute("SET enable_external_access = false");
            }
            st.execute("SET lock_configuration = true");
        } catch (SQLException e) {
            try {
                connection.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new OtterDatabase(connection);
    }

    public Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
