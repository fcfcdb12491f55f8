package io.github.flinkduckdb.table;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.source.DuckDBPredicate;
import io.github.flinkduckdb.source.DuckDBScanQuery;
import io.github.flinkduckdb.source.DuckDBSource;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsLimitPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingLookupProvider;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The table source: a bounded scan with projection, filter and limit push-down (see {@link
 * DuckDBFilters} for which filters DuckDB takes), read through read-only connections in parallel
 * splits; and a lookup source for {@code FOR SYSTEM_TIME AS OF} joins, composite keys included,
 * with Flink's partial lookup cache.
 */
@Internal
public final class DuckDBDynamicTableSource
        implements ScanTableSource,
                LookupTableSource,
                SupportsProjectionPushDown,
                SupportsFilterPushDown,
                SupportsLimitPushDown {

    private final DuckDBConnectionProvider connection;
    private final TableIdentifier table;
    private final RowType physicalType;
    private final int fetchSize;
    private final int maxRetries;
    private final LookupCache cache;
    private final int lookupMaxRetries;

    private RowType producedType;
    private final List<DuckDBPredicate> filters = new ArrayList<>();
    private long limit = -1;

    DuckDBDynamicTableSource(
            DuckDBConnectionProvider connection,
            TableIdentifier table,
            RowType physicalType,
            int fetchSize,
            int maxRetries,
            LookupCache cache,
            int lookupMaxRetries) {
        this.connection = connection;
        this.table = table;
        this.physicalType = physicalType;
        this.producedType = physicalType;
        this.fetchSize = fetchSize;
        this.maxRetries = maxRetries;
        this.cache = cache;
        this.lookupMaxRetries = lookupMaxRetries;
    }

    /** The query the scan runs, with its split condition left out. */
    DuckDBScanQuery scanQuery() {
        return new DuckDBScanQuery(table, producedType, DuckDBPredicate.and(filters), limit);
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        return SourceProvider.of(new DuckDBSource(connection, scanQuery(), fetchSize, maxRetries));
    }

    @Override
    public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
        List<String> keyNames = new ArrayList<>();
        List<LogicalType> keyTypes = new ArrayList<>();
        for (int[] path : context.getKeys()) {
            if (path.length != 1) {
                throw new ValidationException(
                        "The duckdb lookup source of table "
                                + table
                                + " cannot look up by a nested field; join on top-level columns");
            }
            keyNames.add(producedType.getFieldNames().get(path[0]));
            keyTypes.add(producedType.getTypeAt(path[0]));
        }
        DuckDBLookupFunction function =
                new DuckDBLookupFunction(
                        connection, scanQuery(), keyNames, keyTypes, lookupMaxRetries);
        return cache == null
                ? LookupFunctionProvider.of(function)
                : PartialCachingLookupProvider.of(function, cache);
    }

    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
        this.producedType = (RowType) producedDataType.getLogicalType();
    }

    @Override
    public Result applyFilters(List<ResolvedExpression> expressions) {
        Map<String, LogicalType> columns = new LinkedHashMap<>();
        for (RowType.RowField f : physicalType.getFields()) {
            columns.put(f.getName(), f.getType());
        }
        DuckDBFilters translator = new DuckDBFilters(columns);
        List<ResolvedExpression> accepted = new ArrayList<>();
        List<ResolvedExpression> remaining = new ArrayList<>();
        for (ResolvedExpression e : expressions) {
            Optional<DuckDBPredicate> p = translator.translate(e);
            if (p.isPresent()) {
                filters.add(p.get());
                accepted.add(e);
            } else {
                remaining.add(e);
            }
        }
        return Result.of(accepted, remaining);
    }

    @Override
    public void applyLimit(long limit) {
        this.limit = limit;
    }

    @Override
    public DynamicTableSource copy() {
        DuckDBDynamicTableSource copy =
                new DuckDBDynamicTableSource(
                        connection,
                        table,
                        physicalType,
                        fetchSize,
                        maxRetries,
                        cache,
                        lookupMaxRetries);
        copy.producedType = producedType;
        copy.filters.addAll(filters);
        copy.limit = limit;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "DuckDB(" + table + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DuckDBDynamicTableSource)) {
            return false;
        }
        DuckDBDynamicTableSource that = (DuckDBDynamicTableSource) o;
        return connection.url().equals(that.connection.url())
                && table.equals(that.table)
                && producedType.equals(that.producedType)
                && filters.equals(that.filters)
                && limit == that.limit
                && fetchSize == that.fetchSize
                && Objects.equals(cache, that.cache)
                && lookupMaxRetries == that.lookupMaxRetries;
    }

    @Override
    public int hashCode() {
        return Objects.hash(connection.url(), table, producedType, filters, limit);
    }
}
