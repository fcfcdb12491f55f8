package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.RetryPolicy;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The sink's settings after {@link DuckDBSinkBuilder#build()} checked them; immutable. */
@Internal
public final class DuckDBSinkConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    final DuckDBConnectionProvider connection;
    final TableIdentifier table;
    final String createTableSql;
    final DeliveryGuarantee deliveryGuarantee;
    final WriteMode writeMode;
    final int maxBufferedRows;
    final long flushIntervalMillis;
    final RetryPolicy retryPolicy;
    final UnknownColumnPolicy unknownColumnPolicy;
    final boolean batchDeduplication;
    final Map<String, String> stagingSettings;

    /** The committer closes the database after each commit, so other processes can open it. */
    final boolean releaseBetweenCommits;

    final List<String> upsertKey;

    DuckDBSinkConfig(
            DuckDBConnectionProvider connection,
            TableIdentifier table,
            String createTableSql,
            DeliveryGuarantee deliveryGuarantee,
            WriteMode writeMode,
            int maxBufferedRows,
            long flushIntervalMillis,
            RetryPolicy retryPolicy,
            UnknownColumnPolicy unknownColumnPolicy,
            boolean batchDeduplication,
            Map<String, String> stagingSettings,
            List<String> upsertKey,
            boolean releaseBetweenCommits) {
        this.connection = connection;
        this.table = table;
        this.createTableSql = createTableSql;
        this.deliveryGuarantee = deliveryGuarantee;
        this.writeMode = writeMode;
        this.maxBufferedRows = maxBufferedRows;
        this.flushIntervalMillis = flushIntervalMillis;
        this.retryPolicy = retryPolicy;
        this.unknownColumnPolicy = unknownColumnPolicy;
        this.batchDeduplication = batchDeduplication;
        this.stagingSettings = Collections.unmodifiableMap(new LinkedHashMap<>(stagingSettings));
        this.upsertKey = Collections.unmodifiableList(new ArrayList<>(upsertKey));
        this.releaseBetweenCommits = releaseBetweenCommits;
    }

    public DuckDBConnectionProvider connection() {
        return connection;
    }

    public TableIdentifier table() {
        return table;
    }

    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    public WriteMode writeMode() {
        return writeMode;
    }

    public boolean batchDeduplication() {
        return batchDeduplication;
    }

    /** The upsert key columns; empty when the sink appends. */
    public List<String> upsertKey() {
        return upsertKey;
    }

    public boolean isUpsert() {
        return !upsertKey.isEmpty();
    }

    @Override
    public String toString() {
        return "DuckDBSinkConfig{"
                + connection
                + ", table="
                + table
                + ", deliveryGuarantee="
                + deliveryGuarantee
                + ", writeMode="
                + writeMode
                + ", maxBufferedRows="
                + maxBufferedRows
                + ", flushIntervalMillis="
                + flushIntervalMillis
                + ", maxRetries="
                + retryPolicy.maxRetries()
                + ", unknownColumnPolicy="
                + unknownColumnPolicy
                + ", batchDeduplication="
                + batchDeduplication
                + (upsertKey.isEmpty() ? "" : ", upsertKey=" + upsertKey)
                + '}';
    }
}
