package io.github.flinkduckdb.table;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.RetryPolicy;
import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.source.DuckDBPredicate;
import io.github.flinkduckdb.source.DuckDBRowDataReader;
import io.github.flinkduckdb.source.DuckDBScanQuery;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.LogicalType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Looks rows up by key for {@code JOIN ... FOR SYSTEM_TIME AS OF}: one prepared {@code SELECT ...
 * WHERE k1 = ? AND k2 = ?} on a read-only connection, opened at the first lookup (so a sink of the
 * same file in this process, opened when its task starts, is shared rather than blocked). A lookup
 * failing for a transient reason (a lock held by another process, a write-write conflict, I/O)
 * reconnects and is retried up to {@code lookup.max-retries} times by {@link RetryPolicy}; any
 * other error (a missing column or table, a bad cast) fails at once with DuckDB's message. Flink's
 * lookup cache sits in front of it when {@code lookup.cache} is {@code PARTIAL}.
 */
@Internal
public final class DuckDBLookupFunction extends LookupFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DuckDBLookupFunction.class);
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS");

    /** The counter of lookup queries sent to DuckDB (cache hits send none). */
    public static final String QUERIES_METRIC = "duckdbLookupQueries";

    private final DuckDBConnectionProvider connection;
    private final DuckDBScanQuery query;
    private final String[] keyNames;
    private final LogicalType[] keyTypes;
    private final RetryPolicy retries;

    private transient DuckDBRowDataReader converter;
    private transient Connection open;
    private transient PreparedStatement statement;
    private transient String sql;
    private transient Counter queries;

    /**
     * @param query the produced columns and pushed-down filters
     * @param keyNames the lookup key columns, in the order Flink passes key values
     */
    public DuckDBLookupFunction(
            DuckDBConnectionProvider connection,
            DuckDBScanQuery query,
            List<String> keyNames,
            List<LogicalType> keyTypes,
            int maxRetries) {
        this.connection = connection;
        this.query = query;
        this.keyNames = keyNames.toArray(new String[0]);
        this.keyTypes = keyTypes.toArray(new LogicalType[0]);
        this.retries = RetryPolicy.withMaxRetries(maxRetries);
    }

    @Override
    public void open(FunctionContext context) {
        queries = context.getMetricGroup().counter(QUERIES_METRIC);
        converter = new DuckDBRowDataReader(query.producedType());
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < keyNames.length; i++) {
            keys.append(i > 0 ? " AND " : "")
                    .append(DuckDBScanQuery.columnExpression(keyNames[i], keyTypes[i]))
                    .append(" = CAST(? AS ")
                    .append(DuckDBTypeMapping.toDuckDB(keyTypes[i], keyNames[i]).toSql())
                    .append(')');
        }
        sql = query.sql(DuckDBPredicate.of(keys.toString()));
    }

    @Override
    public Collection<RowData> lookup(RowData keyRow) throws IOException {
        Serializable[] keys = new Serializable[keyNames.length];
        for (int i = 0; i < keyNames.length; i++) {
            Object internal = RowData.createFieldGetter(keyTypes[i], i).getFieldOrNull(keyRow);
            if (internal == null) {
                return Collections.emptyList(); // NULL = NULL matches nothing
            }
            keys[i] = parameter(RowDataAppender.toJava(internal, keyTypes[i]));
        }
        try {
            return retries.run("Lookup in table " + query.table(), () -> queryOrReconnect(keys));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while retrying a lookup in " + query.table(), e);
        } catch (Exception e) {
            throw new IOException(
                    "Looking up "
                            + String.join(", ", keyNames)
                            + " in table "
                            + query.table()
                            + " of "
                            + connection.describe()
                            + " failed: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * One attempt: a failed one closes the connection, so the next attempt reconnects (the lock
     * holder may have gone, the file may be back).
     */
    private List<RowData> queryOrReconnect(Serializable[] keys) throws SQLException {
        try {
            return query(keys);
        } catch (SQLException e) {
            closeConnection();
            throw connection.scrub(e);
        }
    }

    private List<RowData> query(Serializable[] keys) throws SQLException {
        if (statement == null) {
            open = connection.openForReading();
            statement = open.prepareStatement(sql);
        }
        int i = 1;
        for (Serializable v : query.values(null)) {
            statement.setObject(i++, v);
        }
        for (Serializable k : keys) {
            statement.setObject(i++, k);
        }
        List<RowData> out = new ArrayList<>();
        queries.inc();
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                out.add(converter.read(rs));
            }
        }
        return out;
    }

    /** A key value as a bound parameter: temporal values as text DuckDB casts. */
    private static Serializable parameter(Object v) {
        if (v instanceof LocalDateTime) {
            return ((LocalDateTime) v).format(TIMESTAMP);
        }
        if (v instanceof LocalDate || v instanceof LocalTime || v instanceof java.time.Instant) {
            return v.toString();
        }
        if (v instanceof Byte || v instanceof Short) {
            return ((Number) v).intValue();
        }
        if (v instanceof Float) {
            return ((Float) v).doubleValue();
        }
        return (Serializable) v;
    }

    private void closeConnection() {
        try {
            if (statement != null) {
                statement.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the lookup statement failed", e);
        }
        try {
            if (open != null) {
                open.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the lookup connection failed", e);
        }
        statement = null;
        open = null;
    }

    @Override
    public void close() {
        closeConnection();
    }

    /** The lookup statement, for tests and logs. */
    String statementSql() {
        return sql;
    }
}
