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
 * flink-sql-duckdb's layout: it builds on the connector's public packages only, knows nothing of
 * Otter, and only the classes that own a DuckDB connection open one.
 */
class SqlArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = mainClassesOfThisModule();
    }

    @Test
    void usesNoInternalPackageOfAnotherModuleAndNoOtter() {
        noDependencyOn(SINK_INTERNAL, OTTER_INTERNAL, "io.github.flinkduckdb.otter..")
                .check(classes);
    }

    @Test
    void onlyOwnersOpenDuckDBConnections() {
        onlyOwnersOpenConnections(
                        // the scan source: split planning and the split reader
                        "io.github.flinkduckdb.source.DuckDBSplitEnumerator",
                        "io.github.flinkduckdb.source.DuckDBSplitReader",
                        // the lookup function
                        "io.github.flinkduckdb.table.DuckDBLookupFunction",
                        // the catalog
                        "io.github.flinkduckdb.catalog.CatalogConnections",
                        // read-only looks at the table while a statement is planned
                        "io.github.flinkduckdb.table.DuckDBMetadata")
                .check(classes);
    }
}
