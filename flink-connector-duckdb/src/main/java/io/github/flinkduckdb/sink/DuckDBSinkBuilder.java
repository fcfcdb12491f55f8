package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.RetryPolicy;
import io.github.flinkduckdb.connection.Secret;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.IOException;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link DuckDBSink}. Required: {@link #setUrl}, {@link #setTableName} and how records
 * become rows: a {@link #setRowWriter RowWriter}, or one of the built-in shapes the {@code
 * DuckDBSink.forXxx} factories set. {@link #build()} rejects a missing or wrong setting with a
 * message naming it.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>deliveryGuarantee</td><td>AT_LEAST_ONCE</td></tr>
 *   <tr><td>maxBufferedRows</td><td>500,000 rows (or 64 MB of staged values, whichever comes first): a flush (or a sealed chunk) per this many rows</td></tr>
 *   <tr><td>flushInterval</td><td>1 s; 0 disables the timer (direct writes only)</td></tr>
 *   <tr><td>maxRetries</td><td>5, with backoff from 200 ms doubling to 10 s</td></tr>
 *   <tr><td>unknownColumnPolicy</td><td>FAIL</td></tr>
 *   <tr><td>batchDeduplication</td><td>false</td></tr>
 *   <tr><td>writeMode</td><td>AUTO</td></tr>
 *   <tr><td>upsertKey</td><td>none: rows are appended</td></tr>
 *   <tr><td>releaseDatabaseBetweenCommits</td><td>false: the database stays open while the job runs</td></tr>
 *   <tr><td>duckDBSetting memory_limit</td><td>512MB per database file and TaskManager; spills to java.io.tmpdir</td></tr>
 * </table>
 *
 * @param <IN> the sink's input type
 */
@PublicEvolving
public final class DuckDBSinkBuilder<IN> {

    public static final int DEFAULT_MAX_BUFFERED_ROWS = 500_000;
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_RETRIES = 5;

    private String url;
    private String tableName;
    private String createTableSql;
    private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.AT_LEAST_ONCE;
    private RecordConverter<IN> recordConverter;
    private int maxBufferedRows = DEFAULT_MAX_BUFFERED_ROWS;
    private boolean releaseBetweenCommits;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private String motherDuckToken;
    private UnknownColumnPolicy unknownColumnPolicy = UnknownColumnPolicy.FAIL;
    private boolean batchDeduplication;
    private WriteMode writeMode = WriteMode.AUTO;
    private DuckDBTableSchema tableSchema;
    private List<String> upsertKey = Collections.emptyList();
    private final Map<String, String> duckdbSettings = new LinkedHashMap<>();
    private final Map<String, String> stagingSettings = new LinkedHashMap<>();

    DuckDBSinkBuilder() {}

    /**
     * The database: {@code jdbc:duckdb:/path/db.duckdb} for a file, {@code jdbc:duckdb:md:<db>} for
     * MotherDuck.
     */
    public DuckDBSinkBuilder<IN> setUrl(String url) {
        this.url = url;
        return this;
    }

    /** The table: {@code name}, {@code schema.name} or {@code catalog.schema.name}. */
    public DuckDBSinkBuilder<IN> setTableName(String tableName) {
        this.tableName = tableName;
        return this;
    }

    /**
     * A statement (usually {@code CREATE TABLE ...}) run once before the first write, only when the
     * table does not exist.
     */
    public DuckDBSinkBuilder<IN> setCreateTableSql(String createTableSql) {
        this.createTableSql = createTableSql;
        return this;
    }

    public DuckDBSinkBuilder<IN> setDeliveryGuarantee(DeliveryGuarantee deliveryGuarantee) {
        this.deliveryGuarantee = deliveryGuarantee;
        return this;
    }

    /**
     * How records become rows, for the built-in shapes and the SQL connector; users set a {@link
     * #setRowWriter RowWriter}.
     */
    @Internal
    public DuckDBSinkBuilder<IN> setRecordConverter(RecordConverter<IN> recordConverter) {
        this.recordConverter = recordConverter;
        return this;
    }

    /**
     * How records become rows: {@code rowWriter} appends each record's values straight to DuckDB's
     * appender, one row per record.
     */
    public DuckDBSinkBuilder<IN> setRowWriter(RowWriter<IN> rowWriter) {
        if (rowWriter == null) {
            throw new IllegalArgumentException("rowWriter must not be null");
        }
        this.recordConverter = new Converters.Typed<>(rowWriter);
        return this;
    }

    /** Rows buffered before a flush (direct writes) or before a chunk is sealed (committer). */
    public DuckDBSinkBuilder<IN> setMaxBufferedRows(int maxBufferedRows) {
        this.maxBufferedRows = maxBufferedRows;
        return this;
    }

    /**
     * Time after which buffered rows are flushed even if the buffer is not full (direct writes).
     */
    public DuckDBSinkBuilder<IN> setFlushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
        return this;
    }

    /** Retries of lock conflicts and transient I/O errors, with exponential backoff. */
    public DuckDBSinkBuilder<IN> setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
        return this;
    }

    /**
     * The MotherDuck token. Without it, DuckDB reads the {@code motherduck_token} environment
     * variable of the TaskManager, which keeps the token out of the job graph entirely.
     */
    public DuckDBSinkBuilder<IN> setMotherDuckToken(String token) {
        this.motherDuckToken = token;
        return this;
    }

    public DuckDBSinkBuilder<IN> setUnknownColumnPolicy(UnknownColumnPolicy policy) {
        this.unknownColumnPolicy = policy;
        return this;
    }

    /**
     * Whether a batch whose id is already committed to the table is skipped (ids are kept in the
     * {@code _flink_duckdb_batches} table next to it). Off by default.
     */
    public DuckDBSinkBuilder<IN> setBatchDeduplication(boolean batchDeduplication) {
        this.batchDeduplication = batchDeduplication;
        return this;
    }

    /**
     * Closes the database file after every commit instead of holding it for the job's lifetime, so
     * that other processes (the DuckDB CLI, a BI tool, a read-only scan) can open it between
     * commits. DuckDB allows one process to write a file and refuses readers in other processes
     * while it is open; with this setting the sink writes through the committer (so it applies to
     * every delivery guarantee) and reopens the file for each checkpoint's commit. A reader that
     * still holds the file then makes the commit wait and retry ({@link #setMaxRetries}); when the
     * retries run out the job fails and restarts from its checkpoint without losing rows. Off by
     * default. Not for in-memory databases; MotherDuck needs no lock release.
     */
    public DuckDBSinkBuilder<IN> setReleaseDatabaseBetweenCommits(boolean release) {
        this.releaseBetweenCommits = release;
        return this;
    }

    /** Who opens the database; see {@link WriteMode}. */
    public DuckDBSinkBuilder<IN> setWriteMode(WriteMode writeMode) {
        this.writeMode = writeMode;
        return this;
    }

    /**
     * Declares the table's schema up front, so writers that do not open the database know it
     * without reading it while the job is built (the SQL connector passes its DDL here).
     */
    public DuckDBSinkBuilder<IN> setTableSchema(DuckDBTableSchema tableSchema) {
        this.tableSchema = tableSchema;
        return this;
    }

    /**
     * Makes the sink upsert by these key columns instead of appending: a row replaces the row with
     * the same key, a deletion (a record whose {@link RowWriter#kind} is {@code DELETE}, or a
     * {@code Row} of kind {@code DELETE}) removes it, and {@code UPDATE_BEFORE} rows are ignored.
     * Within one flush or committable the changes are reduced by key (the last one wins) and
     * applied set-based in one transaction: {@code INSERT OR REPLACE} when the table's primary key
     * is exactly these columns, else {@code DELETE} of the flushed keys then {@code INSERT}. Both
     * write modes and every delivery guarantee support it.
     */
    public DuckDBSinkBuilder<IN> setUpsertKey(List<String> keyColumns) {
        this.upsertKey = keyColumns == null ? null : new ArrayList<>(keyColumns);
        return this;
    }

    /** See {@link #setUpsertKey(List)}. */
    public DuckDBSinkBuilder<IN> setUpsertKey(String... keyColumns) {
        return setUpsertKey(keyColumns == null ? null : Arrays.asList(keyColumns));
    }

    /**
     * A DuckDB setting for connections to the target, e.g. {@code memory_limit}, {@code threads}.
     * Unless set here, {@code memory_limit} is {@value
     * DuckDBConnectionProvider#DEFAULT_MEMORY_LIMIT} (not DuckDB's 80% of RAM) and {@code
     * temp_directory} a folder below {@code flink-duckdb/spill} in the TaskManager's {@code
     * java.io.tmpdir}.
     */
    public DuckDBSinkBuilder<IN> setDuckDBSetting(String name, String value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("DuckDB setting name and value must not be null");
        }
        duckdbSettings.put(name, value);
        return this;
    }

    /**
     * A DuckDB setting for the writers' in-memory staging databases; defaults are {@code threads =
     * 1}, {@code memory_limit = 512MB} and a spill directory under {@code java.io.tmpdir}.
     */
    public DuckDBSinkBuilder<IN> setStagingSetting(String name, String value) {
        if (name == null || value == null) {
            throw new IllegalArgumentException("Staging setting name and value must not be null");
        }
        stagingSettings.put(name, value);
        return this;
    }

    /** Checks every setting and builds the sink. */
    public DuckDBSink<IN> build() {
        if (url == null || url.trim().isEmpty()) {
            throw new IllegalArgumentException(
                    "setUrl(...) is required: jdbc:duckdb:/path/db.duckdb for a file or jdbc:duckdb:md:<database> for MotherDuck");
        }
        if (tableName == null || tableName.trim().isEmpty()) {
            throw new IllegalArgumentException("setTableName(...) is required");
        }
        if (recordConverter == null) {
            throw new IllegalArgumentException(
                    "setRowWriter(...) is required (or use DuckDBSink.forKeyedBatches/forMaps/forRows/forRowWriter)");
        }
        if (deliveryGuarantee == null) {
            throw new IllegalArgumentException("setDeliveryGuarantee(...) must not be null");
        }
        if (maxBufferedRows <= 0) {
            throw new IllegalArgumentException(
                    "setMaxBufferedRows(...) must be > 0, got " + maxBufferedRows);
        }
        if (flushInterval == null || flushInterval.isNegative()) {
            throw new IllegalArgumentException(
                    "setFlushInterval(...) must be >= 0 (0 disables the timer), got "
                            + flushInterval);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException(
                    "setMaxRetries(...) must be >= 0, got " + maxRetries);
        }
        if (unknownColumnPolicy == null) {
            throw new IllegalArgumentException("setUnknownColumnPolicy(...) must not be null");
        }
        if (writeMode == null) {
            throw new IllegalArgumentException("setWriteMode(...) must not be null");
        }
        if (createTableSql != null && createTableSql.trim().isEmpty()) {
            throw new IllegalArgumentException(
                    "setCreateTableSql(...) must not be blank; leave it unset to require an existing table");
        }
        if (upsertKey == null) {
            throw new IllegalArgumentException(
                    "setUpsertKey(...) must not be null; pass no columns to append");
        }
        Set<String> seenKeys = new HashSet<>();
        for (String key : upsertKey) {
            if (key == null || key.trim().isEmpty()) {
                throw new IllegalArgumentException(
                        "setUpsertKey(...) has a null or blank column name: " + upsertKey);
            }
            if (!seenKeys.add(key.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "setUpsertKey(...) names column '"
                                + key
                                + "' twice (DuckDB names are case-insensitive)");
            }
        }
        if (!upsertKey.isEmpty() && batchDeduplication) {
            throw new IllegalArgumentException(
                    "setBatchDeduplication(true) cannot be combined with setUpsertKey(...): upserts are idempotent by key already");
        }
        if (tableSchema != null) {
            for (String key : upsertKey) {
                if (tableSchema.indexOf(key) < 0) {
                    throw new IllegalArgumentException(
                            "setUpsertKey(...): column '"
                                    + key
                                    + "' is not a column of the declared table schema "
                                    + tableSchema);
                }
            }
        }
        TableIdentifier table;
        try {
            table = TableIdentifier.parse(tableName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setTableName(...): " + e.getMessage(), e);
        }
        Secret token = null;
        if (motherDuckToken != null) {
            if (motherDuckToken.trim().isEmpty()) {
                throw new IllegalArgumentException("setMotherDuckToken(...) must not be blank");
            }
            token = Secret.of(motherDuckToken);
        }
        DuckDBConnectionProvider connection;
        try {
            connection = new DuckDBConnectionProvider(url, token, duckdbSettings);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setUrl(...): " + e.getMessage(), e);
        }
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            if (writeMode == WriteMode.DIRECT) {
                throw new IllegalArgumentException(
                        "setWriteMode(DIRECT) cannot give EXACTLY_ONCE: exactly-once writes through the committer (use AUTO or COMMITTER)");
            }
            if (connection.isInMemory()) {
                throw new IllegalArgumentException(
                        "setDeliveryGuarantee(EXACTLY_ONCE) needs a database that outlives the job; "
                                + connection.redactedUrl()
                                + " is in-memory");
            }
        }
        if (releaseBetweenCommits) {
            if (writeMode == WriteMode.DIRECT) {
                throw new IllegalArgumentException(
                        "setReleaseDatabaseBetweenCommits(true) cannot be combined with setWriteMode(DIRECT): direct writers hold the database open; use AUTO or COMMITTER");
            }
            if (connection.isInMemory()) {
                throw new IllegalArgumentException(
                        "setReleaseDatabaseBetweenCommits(true) needs a database file; "
                                + connection.redactedUrl()
                                + " is in-memory and would be lost when released");
            }
        }
        if (tableSchema != null && !tableSchema.identifier().equals(table)) {
            tableSchema = tableSchema.withIdentifier(table);
        }
        Map<String, String> staging = new LinkedHashMap<>();
        staging.put("threads", "1");
        staging.put("memory_limit", "512MB");
        staging.put("preserve_insertion_order", "true");
        try {
            staging.put(
                    "temp_directory",
                    io.github.flinkduckdb.sink.internal.ScratchFiles.directory()
                            .resolve("spill")
                            .toString());
        } catch (IOException e) {
            staging.put(
                    "temp_directory",
                    Paths.get(System.getProperty("java.io.tmpdir"), "flink-duckdb-spill")
                            .toString());
        }
        staging.putAll(stagingSettings);
        DuckDBSinkConfig config =
                new DuckDBSinkConfig(
                        connection,
                        table,
                        createTableSql,
                        deliveryGuarantee,
                        writeMode,
                        maxBufferedRows,
                        flushInterval.toMillis(),
                        RetryPolicy.withMaxRetries(maxRetries),
                        unknownColumnPolicy,
                        batchDeduplication,
                        staging,
                        upsertKey,
                        releaseBetweenCommits);
        return new DuckDBSink<>(config, recordConverter, tableSchema);
    }
}
