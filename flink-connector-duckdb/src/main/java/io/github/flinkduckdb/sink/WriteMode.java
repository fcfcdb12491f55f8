package io.github.flinkduckdb.sink;

import org.apache.flink.annotation.PublicEvolving;

/**
 * Who opens the target database. A DuckDB file allows one read-write process, so when a job's
 * writers may run in several TaskManager processes only one committer may write to it.
 */
@PublicEvolving
public enum WriteMode {
    /**
     * {@link #DIRECT} for at-least-once and none when the job runs in one process (a local
     * MiniCluster), when the sink's parallelism is 1, or when the target is MotherDuck or
     * in-memory; {@link #COMMITTER} otherwise, and always for exactly-once.
     */
    AUTO,
    /**
     * Every writer opens the database and commits its buffer itself on size, on the flush interval
     * and at every checkpoint: lowest latency. Needs all writers in one process or a server-side
     * target (MotherDuck).
     */
    DIRECT,
    /**
     * Writers never open the database: they seal each checkpoint's rows into a compact payload kept
     * in Flink state, and one committer applies it after the checkpoint completes, idempotently.
     * Rows become visible at checkpoints.
     */
    COMMITTER
}
