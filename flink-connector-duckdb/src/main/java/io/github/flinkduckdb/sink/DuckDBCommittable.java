package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.Internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The rows one writer sealed for one checkpoint (or one size-triggered chunk of it), on their way
 * through Flink state to the committer: a columnar payload (Parquet, or a DuckDB database file for
 * types Parquet cannot carry exactly) plus a unique id. The committer writes the id into the marker
 * table in the same transaction as the rows, which makes a replayed committable a no-op. Job,
 * subtask, attempt and sequence are carried for diagnostics only.
 */
@Internal
public final class DuckDBCommittable {

    /** How the payload bytes are encoded. */
    public enum PayloadFormat {
        /** A Parquet file (zstd). */
        PARQUET,
        /** A DuckDB database file with one table named {@code payload}. */
        DUCKDB
    }

    private final String id;
    private final String jobId;
    private final int subtask;
    private final int attempt;
    private final long sequence;
    private final long rowCount;
    private final PayloadFormat format;
    private final List<ColumnSchema> columns;
    private final boolean batchIdColumn;
    private final List<String> upsertKey;
    private final byte[] payload;

    public DuckDBCommittable(
            String id,
            String jobId,
            int subtask,
            int attempt,
            long sequence,
            long rowCount,
            PayloadFormat format,
            List<ColumnSchema> columns,
            boolean batchIdColumn,
            byte[] payload) {
        this(
                id,
                jobId,
                subtask,
                attempt,
                sequence,
                rowCount,
                format,
                columns,
                batchIdColumn,
                Collections.emptyList(),
                payload);
    }

    /**
     * A committable whose rows are changes by {@code upsertKey}: the payload then also has the
     * operation and sequence columns, and the committer upserts instead of appending.
     */
    public DuckDBCommittable(
            String id,
            String jobId,
            int subtask,
            int attempt,
            long sequence,
            long rowCount,
            PayloadFormat format,
            List<ColumnSchema> columns,
            boolean batchIdColumn,
            List<String> upsertKey,
            byte[] payload) {
        this.id = Objects.requireNonNull(id, "id");
        this.jobId = jobId;
        this.subtask = subtask;
        this.attempt = attempt;
        this.sequence = sequence;
        this.rowCount = rowCount;
        this.format = Objects.requireNonNull(format, "format");
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.batchIdColumn = batchIdColumn;
        this.upsertKey = Collections.unmodifiableList(new ArrayList<>(upsertKey));
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    public String id() {
        return id;
    }

    public String jobId() {
        return jobId;
    }

    public int subtask() {
        return subtask;
    }

    public int attempt() {
        return attempt;
    }

    public long sequence() {
        return sequence;
    }

    public long rowCount() {
        return rowCount;
    }

    public PayloadFormat format() {
        return format;
    }

    /** The payload's data columns (target names and types), without the batch-id column. */
    public List<ColumnSchema> columns() {
        return columns;
    }

    /** Whether the payload has the batch-id column used for batch de-duplication. */
    public boolean hasBatchIdColumn() {
        return batchIdColumn;
    }

    /** The key columns the committer upserts by; empty for appended rows. */
    public List<String> upsertKey() {
        return upsertKey;
    }

    public byte[] payload() {
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DuckDBCommittable)) {
            return false;
        }
        DuckDBCommittable that = (DuckDBCommittable) o;
        return id.equals(that.id)
                && Objects.equals(jobId, that.jobId)
                && subtask == that.subtask
                && attempt == that.attempt
                && sequence == that.sequence
                && rowCount == that.rowCount
                && format == that.format
                && columns.equals(that.columns)
                && batchIdColumn == that.batchIdColumn
                && upsertKey.equals(that.upsertKey)
                && java.util.Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "DuckDBCommittable{id="
                + id
                + ", job="
                + jobId
                + ", subtask="
                + subtask
                + ", attempt="
                + attempt
                + ", sequence="
                + sequence
                + ", rows="
                + rowCount
                + ", format="
                + format
                + (upsertKey.isEmpty() ? "" : ", upsertKey=" + upsertKey)
                + ", payloadBytes="
                + payload.length
                + '}';
    }
}
