package io.github.flinkduckdb.table;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.sink.DuckDBSinkBuilder;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.factories.FactoryUtil;

import java.time.Duration;

/**
 * Every option of the {@code 'connector' = 'duckdb'} table connector, with its description: the
 * source of the options table in {@code docs/sql.md}. Names follow flink-connector-jdbc where they
 * mean the same ({@code table-name}, {@code sink.buffer-flush.*}, {@code sink.max-retries}, {@code
 * sink.parallelism}, {@code scan.fetch-size}, {@code lookup.*}).
 */
@PublicEvolving
public final class DuckDBConnectorOptions {

    private DuckDBConnectorOptions() {}

    public static final ConfigOption<String> PATH =
            ConfigOptions.key("path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The DuckDB database file, e.g. '/data/shop.duckdb'. Set exactly one of 'path' and 'url'.");

    public static final ConfigOption<String> URL =
            ConfigOptions.key("url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The JDBC URL of the database: 'jdbc:duckdb:/data/shop.duckdb' for a file, 'jdbc:duckdb:md:<database>' for MotherDuck. Set exactly one of 'path' and 'url'.");

    public static final ConfigOption<String> TABLE_NAME =
            ConfigOptions.key("table-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The DuckDB table: 'orders', 'schema.orders' or 'catalog.schema.orders'; double-quote parts that contain dots. Defaults to the Flink table's name.");

    public static final ConfigOption<String> CREATE_TABLE =
            ConfigOptions.key("create-table")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "What the sink does when the table does not exist. Unset or 'false': fail before the job starts. "
                                    + "'true': create it with DuckDB types derived from the Flink schema, including the PRIMARY KEY. "
                                    + "Any other value: a statement (e.g. 'CREATE TABLE ...') run once before the first write.");

    public static final ConfigOption<String> MOTHERDUCK_TOKEN =
            ConfigOptions.key("motherduck.token")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The MotherDuck token for 'md:' URLs. Never logged or printed. Without it, DuckDB reads the 'motherduck_token' environment variable of the TaskManagers, which keeps the token out of the job graph.");

    public static final ConfigOption<String> MEMORY_LIMIT =
            ConfigOptions.key("memory-limit")
                    .stringType()
                    .defaultValue(DuckDBConnectionProvider.DEFAULT_MEMORY_LIMIT)
                    .withDescription(
                            "DuckDB's 'memory_limit' for the table's connections (sink, scan, lookup), in DuckDB's units, e.g. '256MB', '2GB', '1GiB'. "
                                    + "DuckDB's own default is 80% of the machine's RAM; this one bounds each database a TaskManager opens. "
                                    + "Above it DuckDB spills to a folder below the TaskManager's java.io.tmpdir (flink-duckdb/spill) where it can, and fails the query with an 'Out of Memory Error' naming the limit where it cannot. "
                                    + "The limit belongs to the database file's instance in the TaskManager, shared by every connection of that process to the file.");

    public static final ConfigOption<DeliveryGuarantee> SINK_DELIVERY_GUARANTEE =
            ConfigOptions.key("sink.delivery-guarantee")
                    .enumType(DeliveryGuarantee.class)
                    .defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
                    .withDescription(
                            "'at-least-once': rows are committed on size, on the flush interval and at every checkpoint; after a failure, rows since the last checkpoint may be written again (upserts make that harmless). "
                                    + "'exactly-once': rows are sealed at each checkpoint and one committer applies them after it completes, idempotently. "
                                    + "'none': no flush at checkpoints.");

    public static final ConfigOption<Integer> SINK_BUFFER_FLUSH_MAX_ROWS =
            ConfigOptions.key("sink.buffer-flush.max-rows")
                    .intType()
                    .defaultValue(DuckDBSinkBuilder.DEFAULT_MAX_BUFFERED_ROWS)
                    .withDescription(
                            "Rows buffered before a flush (at-least-once) or before a chunk is sealed (exactly-once); 64 MB of staged values flushes earlier.");

    public static final ConfigOption<Duration> SINK_BUFFER_FLUSH_INTERVAL =
            ConfigOptions.key("sink.buffer-flush.interval")
                    .durationType()
                    .defaultValue(DuckDBSinkBuilder.DEFAULT_FLUSH_INTERVAL)
                    .withDescription(
                            "The longest a row waits in the buffer before it is flushed (direct writes); '0' disables the timer.");

    public static final ConfigOption<Integer> SINK_MAX_RETRIES =
            ConfigOptions.key("sink.max-retries")
                    .intType()
                    .defaultValue(DuckDBSinkBuilder.DEFAULT_MAX_RETRIES)
                    .withDescription(
                            "Retries of a failed flush or commit when the error is retriable (a lock held by another process, a write-write conflict, transient I/O), with backoff from 200 ms doubling to 10 s.");

    public static final ConfigOption<Boolean> SINK_RELEASE_DATABASE_BETWEEN_COMMITS =
            ConfigOptions.key("sink.release-database-between-commits")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Close the database file after every commit instead of holding it while the job runs, so other processes (the DuckDB CLI, a BI tool) can open it between commits. The sink then writes through its committer, and a reader still holding the file makes the commit wait and retry (sink.max-retries). Not for in-memory databases.");

    public static final ConfigOption<Integer> SINK_PARALLELISM = FactoryUtil.SINK_PARALLELISM;

    public static final ConfigOption<Integer> SCAN_FETCH_SIZE =
            ConfigOptions.key("scan.fetch-size")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Rows the scan source reads from DuckDB per fetch and hands to Flink as one batch.");

    public static final ConfigOption<Integer> LOOKUP_MAX_RETRIES =
            LookupOptions.MAX_RETRIES.withDescription(
                    "Retries of a lookup query that failed for a transient reason (a lock held by another process, a write-write conflict, transient I/O), each after reconnecting, with backoff from 200 ms doubling to 10 s. Other errors (a missing column or table, a bad cast) fail the lookup at once.");

    public static final ConfigOption<LookupOptions.LookupCacheType> LOOKUP_CACHE =
            LookupOptions.CACHE_TYPE.withDescription(
                    "The lookup cache: 'NONE' (every lookup queries DuckDB) or 'PARTIAL' (Flink's per-task cache of looked-up keys, sized and expired by the 'lookup.partial-cache.*' options). 'FULL' is not supported.");

    public static final ConfigOption<Long> LOOKUP_PARTIAL_CACHE_MAX_ROWS =
            LookupOptions.PARTIAL_CACHE_MAX_ROWS;

    public static final ConfigOption<Duration> LOOKUP_PARTIAL_CACHE_EXPIRE_AFTER_WRITE =
            LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_WRITE;

    public static final ConfigOption<Duration> LOOKUP_PARTIAL_CACHE_EXPIRE_AFTER_ACCESS =
            LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_ACCESS;

    public static final ConfigOption<Boolean> LOOKUP_PARTIAL_CACHE_CACHE_MISSING_KEY =
            LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY;
}
