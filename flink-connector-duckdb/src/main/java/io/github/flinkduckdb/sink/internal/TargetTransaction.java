package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Moves staged rows into the target table: appends or upserts each staged relation, with its commit
 * marker when it has one, all in one transaction, and records the {@link CommitGauges}. The direct
 * writer's background flush and the committer both write through this routine.
 *
 * <p>A relation whose marker is already in the commits table was applied before (a replay after a
 * restore) and is skipped; when every relation is skipped the transaction is rolled back. On
 * failure the transaction is rolled back and nothing is written.
 */
@Internal
public final class TargetTransaction {

    private static final Logger LOG = LoggerFactory.getLogger(TargetTransaction.class);

    /** Checks a staged column against the target inside the transaction (e.g. adds it). */
    @FunctionalInterface
    public interface ColumnCheck {
        void ensure(ColumnSchema column) throws SQLException;
    }

    /** One relation of staged rows and how it goes into the target. */
    public static final class StagedRelation {
        final String relation;
        final List<ColumnSchema> columns;
        final List<String> quotedNames;
        final List<String> expressions;
        final String batchColumn;
        final List<String> upsertKey;
        final TargetTable.UpsertStrategy strategy;
        final TargetTable.CommitMarker marker;

        /**
         * @param relation the staged relation, e.g. a table name or {@code read_parquet('...')}
         * @param columns the target columns the relation carries
         * @param quotedNames quoted target column names, one per column
         * @param expressions one expression over alias {@code s} per column
         * @param batchColumn the quoted staged batch-id column when de-duplicating, else null
         * @param upsertKey the upsert key; empty to append
         * @param strategy how the upsert reaches the table; ignored when appending
         * @param marker the commit marker to write in the same transaction, or null
         */
        public StagedRelation(
                String relation,
                List<ColumnSchema> columns,
                List<String> quotedNames,
                List<String> expressions,
                String batchColumn,
                List<String> upsertKey,
                TargetTable.UpsertStrategy strategy,
                TargetTable.CommitMarker marker) {
            this.relation = relation;
            this.columns = columns;
            this.quotedNames = quotedNames;
            this.expressions = expressions;
            this.batchColumn = batchColumn;
            this.upsertKey = upsertKey;
            this.strategy = strategy;
            this.marker = marker;
        }
    }

    /** What one transaction did. */
    public static final class Outcome {
        /** Rows inserted or upserted. */
        public final long rows;

        /** The committable ids skipped because their marker was there already. */
        public final Set<String> skipped;

        /** False when every relation was skipped and nothing was committed. */
        public final boolean committed;

        Outcome(long rows, Set<String> skipped, boolean committed) {
            this.rows = rows;
            this.skipped = skipped;
            this.committed = committed;
        }
    }

    private final CommitGauges gauges;

    public TargetTransaction(CommitGauges gauges) {
        this.gauges = gauges;
    }

    /** Appends or upserts one relation without a marker; returns the rows written. */
    public long apply(TargetTable target, StagedRelation staged) throws Exception {
        return apply(target, Collections.singletonList(staged), null).rows;
    }

    /**
     * Applies the relations in order in one transaction.
     *
     * @param check run for each column of a relation that is not skipped, or null
     */
    public Outcome apply(TargetTable target, List<StagedRelation> relations, ColumnCheck check)
            throws Exception {
        long started = System.nanoTime();
        TargetTable.begin(target.connection());
        // At DEBUG, where the transaction opens and commits: the fault tests kill a TaskManager
        // between the two lines.
        LOG.debug("DuckDB transaction open: {} staged relation(s)", relations.size());
        try {
            Set<String> skipped = new HashSet<>();
            long rows = 0;
            for (StagedRelation r : relations) {
                if (r.marker != null && target.isCommitted(r.marker.committableId)) {
                    skipped.add(r.marker.committableId);
                    continue;
                }
                if (check != null) {
                    for (ColumnSchema column : r.columns) {
                        check.ensure(column);
                    }
                }
                rows +=
                        r.upsertKey.isEmpty()
                                ? target.insert(
                                        r.relation,
                                        r.quotedNames,
                                        r.expressions,
                                        r.batchColumn,
                                        r.marker)
                                : target.upsert(
                                        r.relation,
                                        r.quotedNames,
                                        r.expressions,
                                        r.upsertKey,
                                        r.strategy,
                                        r.marker);
            }
            if (!relations.isEmpty() && skipped.size() == relations.size()) {
                TargetTable.rollbackQuietly(target.connection(), new Exception());
                return new Outcome(0, skipped, false);
            }
            TargetTable.commit(target.connection());
            LOG.debug("DuckDB transaction committed: {} row(s)", rows);
            gauges.committed(rows, started);
            return new Outcome(rows, skipped, true);
        } catch (Exception e) {
            TargetTable.rollbackQuietly(target.connection(), e);
            throw e;
        }
    }
}
