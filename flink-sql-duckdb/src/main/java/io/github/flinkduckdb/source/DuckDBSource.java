package io.github.flinkduckdb.source;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.RetryPolicy;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;

/**
 * A bounded source (FLIP-27) reading one DuckDB table with a {@link DuckDBScanQuery}: the
 * enumerator plans splits by key or {@code rowid} range, readers run the query per split through
 * read-only connections. Each split is read in one transaction; splits are not one snapshot.
 */
@Internal
public final class DuckDBSource
        implements Source<RowData, DuckDBSourceSplit, DuckDBEnumeratorState> {

    private static final long serialVersionUID = 1L;

    private final DuckDBConnectionProvider connection;
    private final DuckDBScanQuery query;
    private final int fetchSize;
    private final int maxRetries;

    public DuckDBSource(
            DuckDBConnectionProvider connection,
            DuckDBScanQuery query,
            int fetchSize,
            int maxRetries) {
        this.connection = connection;
        this.query = query;
        this.fetchSize = fetchSize;
        this.maxRetries = maxRetries;
    }

    public DuckDBScanQuery query() {
        return query;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<RowData, DuckDBSourceSplit> createReader(SourceReaderContext context) {
        return new DuckDBSourceReader(
                () ->
                        new DuckDBSplitReader(
                                connection,
                                query,
                                fetchSize,
                                RetryPolicy.withMaxRetries(maxRetries)),
                new Configuration(),
                context);
    }

    @Override
    public SplitEnumerator<DuckDBSourceSplit, DuckDBEnumeratorState> createEnumerator(
            SplitEnumeratorContext<DuckDBSourceSplit> context) {
        return new DuckDBSplitEnumerator(
                context, connection, query.table(), query.limit() >= 0, null);
    }

    @Override
    public SplitEnumerator<DuckDBSourceSplit, DuckDBEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<DuckDBSourceSplit> context, DuckDBEnumeratorState state) {
        return new DuckDBSplitEnumerator(
                context, connection, query.table(), query.limit() >= 0, state);
    }

    @Override
    public SimpleVersionedSerializer<DuckDBSourceSplit> getSplitSerializer() {
        return new DuckDBSourceSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<DuckDBEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new DuckDBEnumeratorStateSerializer();
    }
}
