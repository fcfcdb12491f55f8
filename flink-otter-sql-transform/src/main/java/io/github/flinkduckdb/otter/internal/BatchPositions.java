package io.github.flinkduckdb.otter.internal;

import java.util.Arrays;

/**
 * The row ids of a batch's loaded messages in the batch table, by position (the order the messages
 * were loaded in): contiguous from a base, or listed when DuckDB left gaps.
 */
final class BatchPositions {

    private final long base;
    private final long[] rowIds;

    private BatchPositions(long base, long[] rowIds) {
        this.base = base;
        this.rowIds = rowIds;
    }

    static BatchPositions contiguous(long base) {
        return new BatchPositions(base, null);
    }

    /**
     * @param rowIds ascending
     */
    static BatchPositions listed(long[] rowIds) {
        return new BatchPositions(0, rowIds);
    }

    long rowId(int position) {
        return rowIds == null ? base + position : rowIds[position];
    }

    int position(long rowId) {
        if (rowIds == null) {
            return (int) (rowId - base);
        }
        return Arrays.binarySearch(rowIds, rowId);
    }
}
