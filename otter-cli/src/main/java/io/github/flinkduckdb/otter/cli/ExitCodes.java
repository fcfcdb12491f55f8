package io.github.flinkduckdb.otter.cli;

/** The exit codes of {@code otter}, as documented in {@code docs/otter-runner.md}. */
public final class ExitCodes {

    /** Success. */
    public static final int OK = 0;

    /** The job failed, or an unexpected error. */
    public static final int FAILED = 1;

    /** Wrong command line (unknown option, missing argument). */
    public static final int USAGE = 2;

    /** Bad configuration: YAML, keys, values, a variable that is not set. */
    public static final int CONFIG = 3;

    /** A model that cannot run (SQL error), or a model name that does not exist. */
    public static final int MODEL = 4;

    /** A file or folder that does not exist (fixture, project). */
    public static final int NOT_FOUND = 5;

    /** A broker that cannot be reached or a queue or topic that does not exist. */
    public static final int UNAVAILABLE = 6;

    private ExitCodes() {}
}
