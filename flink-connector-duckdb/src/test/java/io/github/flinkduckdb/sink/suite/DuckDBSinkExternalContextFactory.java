package io.github.flinkduckdb.sink.suite;

import org.apache.flink.connector.testframe.external.ExternalContextFactory;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A fresh DuckDB file and table for each test of the suite, written by a sink with its default
 * settings or with the file released between commits.
 */
public final class DuckDBSinkExternalContextFactory
        implements ExternalContextFactory<DuckDBSinkExternalContext> {

    private final boolean releaseBetweenCommits;

    private DuckDBSinkExternalContextFactory(boolean releaseBetweenCommits) {
        this.releaseBetweenCommits = releaseBetweenCommits;
    }

    /** The sink's defaults. */
    public static DuckDBSinkExternalContextFactory defaults() {
        return new DuckDBSinkExternalContextFactory(false);
    }

    /** {@code setReleaseDatabaseBetweenCommits(true)}: every write goes through the committer. */
    public static DuckDBSinkExternalContextFactory releasingBetweenCommits() {
        return new DuckDBSinkExternalContextFactory(true);
    }

    @Override
    public DuckDBSinkExternalContext createExternalContext(String testName) {
        try {
            return new DuckDBSinkExternalContext(
                    DuckDBSinkExternalContext.temporaryFolder(), releaseBetweenCommits);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not create the DuckDB file for test " + testName, e);
        }
    }
}
