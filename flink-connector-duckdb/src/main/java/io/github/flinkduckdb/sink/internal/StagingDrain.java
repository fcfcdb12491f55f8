package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBSinkException;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Double-buffered staging: rows go into the active staging table while the previous one drains on
 * one background thread (into the target for direct writes, into a payload for the committer path).
 * A drained table is emptied and kept as the spare for the next switch.
 *
 * <p>The active table, the switch and {@link #await()} belong to the task thread (DuckDB's appender
 * stays on the thread that created it); only the drain work runs on the background thread, and at
 * most one drain is in flight.
 *
 * @param <R> what a drain produces (rows written, a sealed payload)
 */
@Internal
public final class StagingDrain<R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StagingDrain.class);

    /** Prepares the drain of a table on the task thread, after its appender was flushed. */
    @FunctionalInterface
    public interface Drain<R> {
        /** Returns the work to run on the background thread. */
        Work<R> prepare(StagingTable table) throws SQLException;
    }

    /** The background part of a drain. */
    @FunctionalInterface
    public interface Work<R> {
        /**
         * @param batchOfRow the batch id of each row of the drained table (0-based), or null
         */
        R run(LongFunction<String> batchOfRow) throws Exception;
    }

    /** Creates an empty staging table with the given columns (the spare). */
    @FunctionalInterface
    public interface NewTable {
        StagingTable create(List<ColumnPlan> plans) throws SQLException;
    }

    /** Turns a failed drain into the exception the writer throws. */
    @FunctionalInterface
    public interface FailureReport {
        DuckDBSinkException describe(
                Throwable cause, StagingTable table, LongFunction<String> batchOfRow);
    }

    /** A finished drain: its result and the size of the table it drained. */
    public static final class Drained<R> {
        public final R result;
        public final long rows;
        public final long estimatedBytes;

        Drained(R result, long rows, long estimatedBytes) {
            this.result = result;
            this.rows = rows;
            this.estimatedBytes = estimatedBytes;
        }
    }

    private static final class InFlight<R> {
        final StagingTable table;
        final Future<R> result;
        final LongFunction<String> batchOfRow;

        InFlight(StagingTable table, Future<R> result, LongFunction<String> batchOfRow) {
            this.table = table;
            this.result = result;
            this.batchOfRow = batchOfRow;
        }
    }

    private final TableIdentifier target;
    private final NewTable newTable;
    private final FailureReport failureReport;
    private final ExecutorService executor;
    private StagingTable active;
    private StagingTable spare;
    private InFlight<R> inFlight;

    /**
     * @param threadName the name of the background thread
     * @param target the target table, for messages
     * @param first the first active table; closed with this drain
     */
    public StagingDrain(
            String threadName,
            TableIdentifier target,
            StagingTable first,
            NewTable newTable,
            FailureReport failureReport) {
        this.target = target;
        this.active = first;
        this.newTable = newTable;
        this.failureReport = failureReport;
        this.executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, threadName);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** The table rows are appended to now. */
    public StagingTable active() {
        return active;
    }

    /**
     * Hands the active table to the background thread and continues in the spare, to which {@code
     * rows} switches. Call {@link #await()} first: one drain at a time.
     */
    public void start(Drain<R> drain, StagingRowCollector rows) throws IOException {
        StagingTable table = active;
        Work<R> work;
        try {
            table.flushAppender();
            work = drain.prepare(table);
            if (spare == null) {
                spare = newTable.create(table.plans());
            }
        } catch (SQLException e) {
            throw new IOException(
                    "Could not prepare the staged rows of table " + target + ": " + e.getMessage(),
                    e);
        }
        active = spare;
        spare = null;
        LongFunction<String> batchOfRow = rows.switchTo(active);
        inFlight = new InFlight<>(table, executor.submit(() -> work.run(batchOfRow)), batchOfRow);
    }

    /**
     * Waits for the drain in flight; on success its table is emptied and becomes the spare.
     *
     * @return the finished drain, or null when none was in flight
     */
    public Drained<R> await() throws IOException, InterruptedException {
        InFlight<R> drain = inFlight;
        if (drain == null) {
            return null;
        }
        inFlight = null;
        R result;
        try {
            result = drain.result.get();
        } catch (ExecutionException failed) {
            DuckDBSinkException e =
                    failureReport.describe(failed.getCause(), drain.table, drain.batchOfRow);
            closeQuietly(drain.table);
            throw e;
        }
        Drained<R> done = new Drained<>(result, drain.table.rows(), drain.table.estimatedBytes());
        try {
            if (drain.table.connection() == active.connection()) {
                // Both are attached to one connection: the active table's open transaction is
                // committed first, or resetting the drained table inside it would make one
                // transaction change two databases.
                active.flushAppender();
            }
            drain.table.reset();
        } catch (SQLException e) {
            throw new IOException("Could not reset the staging table: " + e.getMessage(), e);
        }
        if (spare == null) {
            spare = drain.table;
        } else {
            closeQuietly(drain.table);
        }
        return done;
    }

    /** Closes the spare, e.g. when the columns change and it would have the old ones. */
    public void dropSpare() throws SQLException {
        if (spare != null) {
            StagingTable t = spare;
            spare = null;
            t.close();
        }
    }

    /** Lets a running drain end (up to 30 s), then closes every staging table. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        closeQuietly(active);
        closeQuietly(spare);
        closeQuietly(inFlight == null ? null : inFlight.table);
        active = null;
        spare = null;
        inFlight = null;
    }

    private static void closeQuietly(StagingTable t) {
        if (t == null) {
            return;
        }
        try {
            t.close();
        } catch (Exception e) {
            LOG.debug("Closing a staging table failed", e);
        }
    }
}
