package io.github.flinkduckdb.source;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.RetryPolicy;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.table.data.RowData;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Reads one split at a time on the source's fetcher thread: one read-only connection and one query
 * per split, {@code fetchSize} rows per fetch. The connection is closed when the split is done, so
 * a writer of the same file in this process is blocked no longer than the read.
 */
@Internal
final class DuckDBSplitReader implements SplitReader<RowData, DuckDBSourceSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBSplitReader.class);

    private final DuckDBConnectionProvider connection;
    private final DuckDBScanQuery query;
    private final DuckDBRowDataReader converter;
    private final int fetchSize;
    private final RetryPolicy retries;
    private final Deque<DuckDBSourceSplit> pending = new ArrayDeque<>();

    private DuckDBSourceSplit current;
    private Connection open;
    private PreparedStatement statement;
    private ResultSet rows;

    DuckDBSplitReader(
            DuckDBConnectionProvider connection,
            DuckDBScanQuery query,
            int fetchSize,
            RetryPolicy retries) {
        this.connection = connection;
        this.query = query;
        this.converter = new DuckDBRowDataReader(query.producedType());
        this.fetchSize = fetchSize;
        this.retries = retries;
    }

    @Override
    public RecordsWithSplitIds<RowData> fetch() throws IOException {
        RecordsBySplits.Builder<RowData> out = new RecordsBySplits.Builder<>();
        if (current == null) {
            current = pending.poll();
            if (current == null) {
                return out.build();
            }
            start(current);
        }
        String id = current.splitId();
        try {
            int n = 0;
            boolean more = true;
            while (n < fetchSize && (more = rows.next())) {
                out.add(id, converter.read(rows));
                n++;
            }
            if (!more) {
                out.addFinishedSplit(id);
                finish();
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return out.build();
    }

    private void start(DuckDBSourceSplit split) throws IOException {
        DuckDBPredicate range = split.predicate();
        String sql = query.sql(range);
        List<Serializable> values = query.values(range);
        LOG.info("Reading {} of {}: {}", split, connection.describe(), sql);
        try {
            open = retries.run("Opening " + connection.describe(), connection::openForReading);
            statement = open.prepareStatement(sql);
            int i = 1;
            for (Serializable v : values) {
                statement.setObject(i++, v);
            }
            rows = statement.executeQuery();
            for (long skip = split.offset(); skip > 0 && rows.next(); skip--) {
                // rows emitted before the restore
            }
        } catch (Exception e) {
            finishQuietly();
            throw failure(e);
        }
    }

    private IOException failure(Exception e) {
        Exception clean = e instanceof SQLException ? connection.scrub((SQLException) e) : e;
        return new IOException(
                "Reading table "
                        + query.table()
                        + " from "
                        + connection.describe()
                        + " failed: "
                        + clean.getMessage(),
                clean);
    }

    private void finish() throws SQLException {
        try {
            if (rows != null) {
                rows.close();
            }
            if (statement != null) {
                statement.close();
            }
        } finally {
            rows = null;
            statement = null;
            current = null;
            if (open != null) {
                Connection c = open;
                open = null;
                c.close();
            }
        }
    }

    private void finishQuietly() {
        try {
            finish();
        } catch (SQLException e) {
            LOG.debug("Closing the DuckDB connection failed", e);
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<DuckDBSourceSplit> changes) {
        if (!(changes instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + changes.getClass().getSimpleName());
        }
        pending.addAll(changes.splits());
    }

    @Override
    public void wakeUp() {
        // fetch() never blocks waiting for data.
    }

    @Override
    public void close() {
        finishQuietly();
    }
}
