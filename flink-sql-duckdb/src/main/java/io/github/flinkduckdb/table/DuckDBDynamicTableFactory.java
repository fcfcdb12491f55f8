package io.github.flinkduckdb.table;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.Secret;
import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.connector.source.lookup.cache.DefaultLookupCache;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The factory behind {@code 'connector' = 'duckdb'}: checks the options (unknown or invalid ones
 * fail with Flink's usual message listing the supported options), reads the DuckDB table's schema
 * read-only and validates the declared Flink schema against it before the job starts, and creates
 * the {@link DuckDBDynamicTableSink} and {@link DuckDBDynamicTableSource}.
 */
@Internal
public class DuckDBDynamicTableFactory
        implements DynamicTableSourceFactory, DynamicTableSinkFactory {

    public static final String IDENTIFIER = "duckdb";

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBDynamicTableFactory.class);

    /** A size as DuckDB's memory_limit takes it: a number and a unit (B, KB, MiB, GB, ...). */
    private static final Pattern MEMORY_SIZE =
            Pattern.compile("\\d+(\\.\\d+)?\\s*([KMGT]i?B|B|bytes?)", Pattern.CASE_INSENSITIVE);

    /** Retries of opening a split's connection (a lock held by another process, briefly). */
    static final int SCAN_OPEN_RETRIES = 3;

    private final Secret catalogToken;

    public DuckDBDynamicTableFactory() {
        this(null);
    }

    /**
     * A factory for tables of a {@code DuckDBCatalog}, which keeps its MotherDuck token here
     * instead of in table options.
     */
    public DuckDBDynamicTableFactory(Secret catalogToken) {
        this.catalogToken = catalogToken;
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Collections.emptySet();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = new LinkedHashSet<>();
        options.add(DuckDBConnectorOptions.PATH);
        options.add(DuckDBConnectorOptions.URL);
        options.add(DuckDBConnectorOptions.TABLE_NAME);
        options.add(DuckDBConnectorOptions.CREATE_TABLE);
        options.add(DuckDBConnectorOptions.MOTHERDUCK_TOKEN);
        options.add(DuckDBConnectorOptions.MEMORY_LIMIT);
        options.add(DuckDBConnectorOptions.SINK_DELIVERY_GUARANTEE);
        options.add(DuckDBConnectorOptions.SINK_BUFFER_FLUSH_MAX_ROWS);
        options.add(DuckDBConnectorOptions.SINK_BUFFER_FLUSH_INTERVAL);
        options.add(DuckDBConnectorOptions.SINK_MAX_RETRIES);
        options.add(DuckDBConnectorOptions.SINK_RELEASE_DATABASE_BETWEEN_COMMITS);
        options.add(DuckDBConnectorOptions.SINK_PARALLELISM);
        options.add(DuckDBConnectorOptions.SCAN_FETCH_SIZE);
        options.add(DuckDBConnectorOptions.LOOKUP_CACHE);
        options.add(DuckDBConnectorOptions.LOOKUP_PARTIAL_CACHE_MAX_ROWS);
        options.add(DuckDBConnectorOptions.LOOKUP_PARTIAL_CACHE_EXPIRE_AFTER_WRITE);
        options.add(DuckDBConnectorOptions.LOOKUP_PARTIAL_CACHE_EXPIRE_AFTER_ACCESS);
        options.add(DuckDBConnectorOptions.LOOKUP_PARTIAL_CACHE_CACHE_MISSING_KEY);
        options.add(DuckDBConnectorOptions.LOOKUP_MAX_RETRIES);
        return options;
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String flinkTable = context.getObjectIdentifier().asSummaryString();
        DuckDBConnectionProvider connection = connection(options, flinkTable);
        TableIdentifier table = table(options, context);
        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        RowType rowType = (RowType) context.getPhysicalRowDataType().getLogicalType();
        List<String> primaryKey =
                schema.getPrimaryKey()
                        .map(UniqueConstraint::getColumns)
                        .orElse(Collections.emptyList());

        int maxRows = options.get(DuckDBConnectorOptions.SINK_BUFFER_FLUSH_MAX_ROWS);
        Duration interval = options.get(DuckDBConnectorOptions.SINK_BUFFER_FLUSH_INTERVAL);
        int maxRetries = options.get(DuckDBConnectorOptions.SINK_MAX_RETRIES);
        Integer parallelism =
                options.getOptional(DuckDBConnectorOptions.SINK_PARALLELISM).orElse(null);
        check(
                maxRows > 0,
                DuckDBConnectorOptions.SINK_BUFFER_FLUSH_MAX_ROWS,
                "must be > 0",
                maxRows);
        check(
                !interval.isNegative(),
                DuckDBConnectorOptions.SINK_BUFFER_FLUSH_INTERVAL,
                "must be >= 0",
                interval);
        check(maxRetries >= 0, DuckDBConnectorOptions.SINK_MAX_RETRIES, "must be >= 0", maxRetries);
        check(
                parallelism == null || parallelism > 0,
                DuckDBConnectorOptions.SINK_PARALLELISM,
                "must be > 0",
                parallelism);

        DuckDBTableSchema derived = DuckDBTypeMapping.toDuckDBSchema(schema, table);
        String createOption = options.getOptional(DuckDBConnectorOptions.CREATE_TABLE).orElse(null);
        String createSql = createStatement(createOption, derived);

        DuckDBMetadata.Existing existing =
                DuckDBMetadata.readTable(connection, table, connectionOption(options));
        DuckDBTableSchema duckSchema = derived;
        if (existing.schema.isPresent()) {
            DuckDBSchemaValidator.validateForWrite(schema, existing.schema.get(), flinkTable);
            duckSchema = existing.schema.get();
        } else if (!existing.reachable()) {
            LOG.warn(
                    "Cannot read {} while planning table '{}' ({}); the table is checked when the job starts",
                    connection.describe(),
                    flinkTable,
                    existing.unreachable);
        } else if (createSql == null) {
            throw new ValidationException(
                    "Table "
                            + table
                            + " does not exist in "
                            + connection.describe()
                            + " (Flink table '"
                            + flinkTable
                            + "'); create it, or set 'create-table' = 'true' to create it from the Flink schema");
        }
        DuckDBDynamicTableSink sink =
                new DuckDBDynamicTableSink(
                        connection,
                        table,
                        flinkTable,
                        rowType,
                        primaryKey,
                        duckSchema,
                        createSql,
                        options.get(DuckDBConnectorOptions.SINK_DELIVERY_GUARANTEE),
                        maxRows,
                        interval,
                        maxRetries,
                        parallelism,
                        options.get(DuckDBConnectorOptions.SINK_RELEASE_DATABASE_BETWEEN_COMMITS));
        try {
            sink.buildSink();
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Invalid duckdb sink for table '" + flinkTable + "': " + e.getMessage(), e);
        }
        return sink;
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String flinkTable = context.getObjectIdentifier().asSummaryString();
        DuckDBConnectionProvider connection = connection(options, flinkTable);
        TableIdentifier table = table(options, context);
        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        RowType rowType = (RowType) context.getPhysicalRowDataType().getLogicalType();
        for (RowType.RowField f : rowType.getFields()) {
            DuckDBTypeMapping.toDuckDB(f.getType(), f.getName());
        }
        int fetchSize = options.get(DuckDBConnectorOptions.SCAN_FETCH_SIZE);
        int lookupRetries = options.get(DuckDBConnectorOptions.LOOKUP_MAX_RETRIES);
        check(fetchSize > 0, DuckDBConnectorOptions.SCAN_FETCH_SIZE, "must be > 0", fetchSize);
        check(
                lookupRetries >= 0,
                DuckDBConnectorOptions.LOOKUP_MAX_RETRIES,
                "must be >= 0",
                lookupRetries);

        DuckDBMetadata.Existing existing =
                DuckDBMetadata.readTable(connection, table, connectionOption(options));
        if (existing.schema.isPresent()) {
            DuckDBSchemaValidator.validateForRead(schema, existing.schema.get(), flinkTable);
        } else if (!existing.reachable()) {
            LOG.warn(
                    "Cannot read {} while planning table '{}' ({}); the table is read when the job runs",
                    connection.describe(),
                    flinkTable,
                    existing.unreachable);
        } else {
            throw new ValidationException(
                    "Table "
                            + table
                            + " does not exist in "
                            + connection.describe()
                            + " (Flink table '"
                            + flinkTable
                            + "'), so there is nothing to read");
        }
        return new DuckDBDynamicTableSource(
                connection,
                table,
                rowType,
                fetchSize,
                SCAN_OPEN_RETRIES,
                lookupCache(options, flinkTable),
                lookupRetries);
    }

    private static LookupCache lookupCache(ReadableConfig options, String flinkTable) {
        switch (options.get(LookupOptions.CACHE_TYPE)) {
            case PARTIAL:
                return DefaultLookupCache.fromConfig(options);
            case FULL:
                throw new ValidationException(
                        "Table '"
                                + flinkTable
                                + "': 'lookup.cache' = 'FULL' is not supported by the duckdb connector; use 'PARTIAL' (with 'lookup.partial-cache.*') or 'NONE'");
            case NONE:
            default:
                return null;
        }
    }

    /** The connection from exactly one of 'path' and 'url', and the token. */
    private DuckDBConnectionProvider connection(ReadableConfig options, String flinkTable) {
        String path = options.getOptional(DuckDBConnectorOptions.PATH).orElse(null);
        String url = options.getOptional(DuckDBConnectorOptions.URL).orElse(null);
        if (path == null && url == null) {
            throw new ValidationException(
                    "Table '"
                            + flinkTable
                            + "': set exactly one of 'path' (a DuckDB file, e.g. '/data/shop.duckdb') and 'url' ('jdbc:duckdb:/data/shop.duckdb' or 'jdbc:duckdb:md:<database>'); neither is set");
        }
        if (path != null && url != null) {
            throw new ValidationException(
                    "Table '"
                            + flinkTable
                            + "': set exactly one of 'path' and 'url'; both are set");
        }
        if (path != null) {
            if (path.trim().isEmpty()) {
                throw new ValidationException(
                        "Table '" + flinkTable + "': option 'path' must not be empty");
            }
            url = DuckDBConnectionProvider.URL_PREFIX + Paths.get(path).toAbsolutePath();
        }
        Secret token =
                options.getOptional(DuckDBConnectorOptions.MOTHERDUCK_TOKEN)
                        .filter(t -> !t.trim().isEmpty())
                        .map(Secret::of)
                        .orElse(catalogToken);
        String memoryLimit = options.get(DuckDBConnectorOptions.MEMORY_LIMIT).trim();
        if (!MEMORY_SIZE.matcher(memoryLimit).matches()) {
            throw new ValidationException(
                    "Table '"
                            + flinkTable
                            + "', option '"
                            + DuckDBConnectorOptions.MEMORY_LIMIT.key()
                            + "': expected a size in DuckDB's units, e.g. '512MB', '2GB' or '1GiB', got '"
                            + memoryLimit
                            + "'");
        }
        try {
            return new DuckDBConnectionProvider(
                    url, token, Collections.singletonMap("memory_limit", memoryLimit));
        } catch (IllegalArgumentException e) {
            String option =
                    e.getMessage() != null && e.getMessage().contains("token")
                            ? DuckDBConnectorOptions.MOTHERDUCK_TOKEN.key()
                            : DuckDBConnectorOptions.URL.key();
            throw new ValidationException(
                    "Table '" + flinkTable + "', option '" + option + "': " + e.getMessage(), e);
        }
    }

    private static String connectionOption(ReadableConfig options) {
        return options.getOptional(DuckDBConnectorOptions.PATH).isPresent()
                ? DuckDBConnectorOptions.PATH.key()
                : DuckDBConnectorOptions.URL.key();
    }

    private static TableIdentifier table(ReadableConfig options, Context context) {
        String name = options.getOptional(DuckDBConnectorOptions.TABLE_NAME).orElse(null);
        if (name == null) {
            return new TableIdentifier(null, null, context.getObjectIdentifier().getObjectName());
        }
        try {
            return TableIdentifier.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Table '"
                            + context.getObjectIdentifier().asSummaryString()
                            + "', option 'table-name': "
                            + e.getMessage(),
                    e);
        }
    }

    /** The create-table statement for the option's value, or null. */
    static String createStatement(String option, DuckDBTableSchema derived) {
        if (option == null || option.trim().isEmpty() || option.trim().equalsIgnoreCase("false")) {
            return null;
        }
        if (!option.trim().equalsIgnoreCase("true")) {
            return option;
        }
        String create = derived.toCreateTableSql(true);
        if (derived.identifier().schema().isPresent()) {
            TableIdentifier id = derived.identifier();
            String schema =
                    (id.catalog().map(c -> SqlIdentifiers.quote(c) + ".").orElse(""))
                            + SqlIdentifiers.quote(id.schema().get());
            return "CREATE SCHEMA IF NOT EXISTS " + schema + "; " + create;
        }
        return create;
    }

    private static void check(boolean ok, ConfigOption<?> option, String rule, Object value) {
        if (!ok) {
            throw new ValidationException(
                    "Option '" + option.key() + "' " + rule + ", got " + value);
        }
    }
}
