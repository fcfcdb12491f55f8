package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBSinkException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Batch bookkeeping of the staging buffer: the open batch, the batch ids already in the buffer (a
 * repeated batch is skipped when de-duplicating), and where each batch starts among the staged
 * rows, so a failure found later names the batch of the bad row.
 */
final class StagedBatches {

    private final TableIdentifier table;
    private final boolean deduplicate;
    private final Set<String> idsInBuffer = new HashSet<>();
    private final List<Long> starts = new ArrayList<>();
    private final List<String> startIds = new ArrayList<>();
    private String current;
    private boolean open;
    private long skipped;

    StagedBatches(TableIdentifier table, boolean deduplicate) {
        this.table = table;
        this.deduplicate = deduplicate;
    }

    /** Before each record; {@code stagedRows} is the buffer's row count. */
    void startRecord(long stagedRows) {
        if (open) {
            throw new DuckDBSinkException(
                    "Batch '" + current + "' for table " + table + " was begun but not ended");
        }
        current = null;
        markStart(null, stagedRows);
    }

    /** After each record. */
    void endRecord() {
        if (open) {
            throw new DuckDBSinkException(
                    "Batch '"
                            + current
                            + "' for table "
                            + table
                            + " was begun but not ended by the record converter");
        }
    }

    /** Opens a batch; returns whether its rows are to be skipped (already in the buffer). */
    boolean begin(String batchId, long stagedRows) {
        if (open) {
            throw new DuckDBSinkException(
                    "Batch '" + current + "' for table " + table + " is still open");
        }
        if (batchId == null) {
            throw new DuckDBSinkException(
                    "A batch for table " + table + " has a null batch id; every batch needs an id");
        }
        open = true;
        current = batchId;
        boolean skip = deduplicate && !idsInBuffer.add(batchId);
        if (skip) {
            skipped++;
        } else {
            markStart(batchId, stagedRows);
        }
        return skip;
    }

    void end(long stagedRows) {
        if (!open) {
            throw new DuckDBSinkException("endBatch() without beginBatch() for table " + table);
        }
        open = false;
        current = null;
        markStart(null, stagedRows);
    }

    private void markStart(String batchId, long stagedRows) {
        int last = startIds.size() - 1;
        if (last >= 0 && Objects.equals(startIds.get(last), batchId)) {
            return;
        }
        starts.add(stagedRows);
        startIds.add(batchId);
    }

    /** The open batch's id, or null. */
    String current() {
        return current;
    }

    /** The open batch for messages. */
    String describeCurrent() {
        return current == null ? "a record without batch id" : "batch '" + current + "'";
    }

    /** Batches skipped as duplicates so far. */
    long skipped() {
        return skipped;
    }

    /**
     * Starts over for a new (empty) buffer; returns how the rows of the previous buffer map to
     * batch ids.
     */
    LongFunction<String> switchBuffer() {
        List<Long> previousStarts = new ArrayList<>(starts);
        List<String> previousIds = new ArrayList<>(startIds);
        idsInBuffer.clear();
        starts.clear();
        startIds.clear();
        return row -> {
            String id = null;
            for (int i = 0; i < previousStarts.size() && previousStarts.get(i) <= row; i++) {
                id = previousIds.get(i);
            }
            return id;
        };
    }
}
