package io.github.flinkduckdb.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.github.flinkduckdb.testing.ArchitectureRules.OTTER_INTERNAL;
import static io.github.flinkduckdb.testing.ArchitectureRules.SINK_INTERNAL;
import static io.github.flinkduckdb.testing.ArchitectureRules.mainClassesOfThisModule;
import static io.github.flinkduckdb.testing.ArchitectureRules.noDependencyOn;
import static io.github.flinkduckdb.testing.ArchitectureRules.onlyOwnersOpenConnections;

/**
 * otter-cli's layout: it uses the connector's and the transform's public API only, and only the
 * classes that own a DuckDB connection open one.
 */
class OtterCliArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = mainClassesOfThisModule();
    }

    @Test
    void usesNoInternalPackageOfAnotherModule() {
        noDependencyOn(SINK_INTERNAL, OTTER_INTERNAL).check(classes);
    }

    @Test
    void onlyOwnersOpenDuckDBConnections() {
        onlyOwnersOpenConnections(
                        // the Parquet writer's in-memory staging database
                        "io.github.flinkduckdb.otter.parquet.ParquetStagingBuffer",
                        // the database the Parquet writer merges shaped rows' chunks in
                        "io.github.flinkduckdb.otter.parquet.ParquetStagingBuffers",
                        // reading dead letters back from Parquet files (otter dlq)
                        "io.github.flinkduckdb.otter.dlq.ParquetDeadLetterFolder",
                        // the demo prints what the job wrote
                        "io.github.flinkduckdb.otter.cli.OtterDemo")
                .check(classes);
    }
}
