package io.github.flinkduckdb.table;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.Secret;
import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBSink;
import io.github.flinkduckdb.sink.DuckDBSinkBuilder;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The table sink: Flink SQL rows through {@link DuckDBSink} (its writer, committer, conversion and
 * retries). Insert-only input is appended. With a PRIMARY KEY the sink upserts: {@code +I}/{@code
 * +U} replace the row with the same key, {@code -D} deletes it, {@code -U} is ignored; the buffer
 * is reduced by key and applied set-based, in direct writes and through the exactly-once committer
 * alike. Updating input without a primary key is rejected while the job is planned.
 */
@Internal
public final class DuckDBDynamicTableSink implements DynamicTableSink {

    private final DuckDBConnectionProvider connection;
    private final TableIdentifier table;
    private final String flinkTable;
    private final RowType rowType;
    private final List<String> primaryKey;
    private final DuckDBTableSchema duckSchema;
    private final String createTableSql;
    private final DeliveryGuarantee deliveryGuarantee;
    private final int maxBufferedRows;
    private final Duration flushInterval;
    private final int maxRetries;
    private final Integer parallelism;
    private final boolean releaseBetweenCommits;

    DuckDBDynamicTableSink(
            DuckDBConnectionProvider connection,
            TableIdentifier table,
            String flinkTable,
            RowType rowType,
            List<String> primaryKey,
            DuckDBTableSchema duckSchema,
            String createTableSql,
            DeliveryGuarantee deliveryGuarantee,
            int maxBufferedRows,
            Duration flushInterval,
            int maxRetries,
            Integer parallelism,
            boolean releaseBetweenCommits) {
        this.connection = connection;
        this.table = table;
        this.flinkTable = flinkTable;
        this.rowType = rowType;
        this.primaryKey = new ArrayList<>(primaryKey);
        this.duckSchema = duckSchema;
        this.createTableSql = createTableSql;
        this.deliveryGuarantee = deliveryGuarantee;
        this.maxBufferedRows = maxBufferedRows;
        this.flushInterval = flushInterval;
        this.maxRetries = maxRetries;
        this.parallelism = parallelism;
        this.releaseBetweenCommits = releaseBetweenCommits;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        if (primaryKey.isEmpty()) {
            for (RowKind kind : requestedMode.getContainedKinds()) {
                if (kind != RowKind.INSERT) {
                    throw new ValidationException(
                            "Table '"
                                    + flinkTable
                                    + "' (DuckDB table "
                                    + table
                                    + ") receives updates and deletes from the query (changelog "
                                    + requestedMode
                                    + ") but declares no PRIMARY KEY. The duckdb sink applies changes by key: declare PRIMARY KEY (...) NOT ENFORCED on the table, or write an insert-only query.");
                }
            }
            return ChangelogMode.insertOnly();
        }
        return ChangelogMode.newBuilder()
                .addContainedKind(RowKind.INSERT)
                .addContainedKind(RowKind.UPDATE_AFTER)
                .addContainedKind(RowKind.DELETE)
                .build();
    }

    /** The DataStream sink this table sink runs; built anew for each translation. */
    DuckDBSink<RowData> buildSink() {
        DuckDBSinkBuilder<RowData> builder =
                DuckDBSink.<RowData>builder()
                        .setUrl(connection.url())
                        .setTableName(table.toSql())
                        .setTableSchema(duckSchema)
                        .setUpsertKey(primaryKey)
                        .setRecordConverter(new RowDataAppender(rowType))
                        .setDeliveryGuarantee(deliveryGuarantee)
                        .setMaxBufferedRows(maxBufferedRows)
                        .setFlushInterval(flushInterval)
                        .setMaxRetries(maxRetries)
                        .setReleaseDatabaseBetweenCommits(releaseBetweenCommits);
        connection.token().map(Secret::reveal).ifPresent(builder::setMotherDuckToken);
        connection.settings().forEach(builder::setDuckDBSetting);
        if (createTableSql != null) {
            builder.setCreateTableSql(createTableSql);
        }
        return builder.build();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        return SinkV2Provider.of(buildSink(), parallelism);
    }

    @Override
    public DynamicTableSink copy() {
        return new DuckDBDynamicTableSink(
                connection,
                table,
                flinkTable,
                rowType,
                primaryKey,
                duckSchema,
                createTableSql,
                deliveryGuarantee,
                maxBufferedRows,
                flushInterval,
                maxRetries,
                parallelism,
                releaseBetweenCommits);
    }

    @Override
    public String asSummaryString() {
        return "DuckDB(" + table + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DuckDBDynamicTableSink)) {
            return false;
        }
        DuckDBDynamicTableSink that = (DuckDBDynamicTableSink) o;
        return connection.url().equals(that.connection.url())
                && table.equals(that.table)
                && rowType.equals(that.rowType)
                && primaryKey.equals(that.primaryKey)
                && Objects.equals(createTableSql, that.createTableSql)
                && deliveryGuarantee == that.deliveryGuarantee
                && maxBufferedRows == that.maxBufferedRows
                && flushInterval.equals(that.flushInterval)
                && maxRetries == that.maxRetries
                && Objects.equals(parallelism, that.parallelism)
                && releaseBetweenCommits == that.releaseBetweenCommits;
    }

    @Override
    public int hashCode() {
        return Objects.hash(connection.url(), table, rowType, primaryKey);
    }
}
