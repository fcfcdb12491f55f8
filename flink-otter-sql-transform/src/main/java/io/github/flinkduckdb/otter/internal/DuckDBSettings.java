package io.github.flinkduckdb.otter.internal;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/** The settings of the transform's in-process DuckDB (one per operator instance). */
@Internal
public final class DuckDBSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String memoryLimit;
    private final int threads;
    private final String tempDirectory;
    private final String maxTempDirectorySize;
    private final String timeZone;
    private final boolean externalAccess;

    public DuckDBSettings(
            String memoryLimit,
            int threads,
            String tempDirectory,
            String maxTempDirectorySize,
            String timeZone,
            boolean externalAccess) {
        this.memoryLimit = memoryLimit;
        this.threads = threads;
        this.tempDirectory = tempDirectory;
        this.maxTempDirectorySize = maxTempDirectorySize;
        this.timeZone = timeZone;
        this.externalAccess = externalAccess;
    }

    /** DuckDB's {@code memory_limit}, e.g. {@code 256MB}. */
    public String memoryLimit() {
        return memoryLimit;
    }

    /** DuckDB's {@code threads}. */
    public int threads() {
        return threads;
    }

    /** A fixed spill folder, or null to use one below the TaskManager's temporary folders. */
    public String tempDirectory() {
        return tempDirectory;
    }

    /** DuckDB's {@code max_temp_directory_size}, e.g. {@code 1GB}. */
    public String maxTempDirectorySize() {
        return maxTempDirectorySize;
    }

    /** DuckDB's {@code TimeZone}, used for TIMESTAMP WITH TIME ZONE values and functions. */
    public String timeZone() {
        return timeZone;
    }

    /** Whether models may read files and the network. */
    public boolean externalAccess() {
        return externalAccess;
    }
}
