package io.github.flinkduckdb.sink;

import org.apache.flink.annotation.PublicEvolving;

/**
 * The sink's bookkeeping tables: the sink creates them next to the target table (same catalog and
 * schema) and they hold no user data. Readers of the database, such as a catalog listing tables,
 * can leave them out by these names.
 */
@PublicEvolving
public final class BookkeepingTables {

    /** The id of every committable applied, so one replayed after a restore is skipped. */
    public static final String COMMITS_TABLE = "_flink_duckdb_commits";

    /** The batch ids committed, when batch de-duplication is on. */
    public static final String BATCHES_TABLE = "_flink_duckdb_batches";

    private BookkeepingTables() {}
}
