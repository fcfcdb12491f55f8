package io.github.flinkduckdb.sink;

import org.apache.flink.annotation.PublicEvolving;

/** What the sink does with a map key or named field that is not a column of the table. */
@PublicEvolving
public enum UnknownColumnPolicy {
    /** Fail the job with a message naming table, column and batch id (the default). */
    FAIL,
    /** Drop the value. */
    IGNORE,
    /**
     * Add the column to the table ({@code ALTER TABLE ... ADD COLUMN}) with a type inferred from
     * the first non-null value, then write the value.
     */
    EVOLVE
}
