package io.github.flinkduckdb.source;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Plans the splits once (reading the table's key range read-only) and hands them out to readers
 * that ask; a bounded source, so a reader that asks when none are left is told there are no more.
 */
@Internal
final class DuckDBSplitEnumerator
        implements SplitEnumerator<DuckDBSourceSplit, DuckDBEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDBSplitEnumerator.class);

    private final SplitEnumeratorContext<DuckDBSourceSplit> context;
    private final DuckDBConnectionProvider connection;
    private final TableIdentifier table;
    private final boolean limited;
    private final Deque<DuckDBSourceSplit> remaining = new ArrayDeque<>();
    private boolean planned;

    DuckDBSplitEnumerator(
            SplitEnumeratorContext<DuckDBSourceSplit> context,
            DuckDBConnectionProvider connection,
            TableIdentifier table,
            boolean limited,
            DuckDBEnumeratorState restored) {
        this.context = context;
        this.connection = connection;
        this.table = table;
        this.limited = limited;
        if (restored != null) {
            this.planned = restored.planned();
            this.remaining.addAll(restored.remaining());
        }
    }

    @Override
    public void start() {
        if (planned) {
            return;
        }
        List<DuckDBSourceSplit> splits;
        try (Connection c = connection.openForReading()) {
            splits = DuckDBSplitPlanner.plan(c, table, context.currentParallelism(), limited);
        } catch (Exception e) {
            // The readers report the real problem if they cannot read either.
            LOG.warn(
                    "Could not plan parallel splits of table {} in {}; reading it as one split: {}",
                    table,
                    connection.describe(),
                    e.getMessage());
            splits = new ArrayList<>();
            splits.add(DuckDBSourceSplit.whole("split-0"));
        }
        LOG.info("Scanning table {} in {} as {}", table, connection.describe(), splits);
        remaining.addAll(splits);
        planned = true;
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        DuckDBSourceSplit next = remaining.poll();
        if (next != null) {
            context.assignSplit(next, subtaskId);
        } else {
            context.signalNoMoreSplits(subtaskId);
        }
    }

    @Override
    public void addSplitsBack(List<DuckDBSourceSplit> splits, int subtaskId) {
        for (DuckDBSourceSplit s : splits) {
            remaining.addFirst(s);
        }
    }

    @Override
    public void addReader(int subtaskId) {
        // Readers ask for splits themselves.
    }

    @Override
    public DuckDBEnumeratorState snapshotState(long checkpointId) {
        return new DuckDBEnumeratorState(planned, new ArrayList<>(remaining));
    }

    @Override
    public void close() {}
}
