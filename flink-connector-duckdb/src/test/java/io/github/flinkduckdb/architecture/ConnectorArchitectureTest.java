package io.github.flinkduckdb.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static io.github.flinkduckdb.testing.ArchitectureRules.mainClassesOfThisModule;
import static io.github.flinkduckdb.testing.ArchitectureRules.noDependencyOn;
import static io.github.flinkduckdb.testing.ArchitectureRules.onlyOwnersOpenConnections;

/**
 * flink-connector-duckdb's layout: the DataStream sink stands alone (no SQL layer, no Otter, no
 * Table API), and only the classes that own a DuckDB connection open one.
 */
class ConnectorArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = mainClassesOfThisModule();
    }

    @Test
    void sinkNeverImportsTheSqlLayerOrOtter() {
        noDependencyOn(
                        "io.github.flinkduckdb.table..",
                        "io.github.flinkduckdb.catalog..",
                        "io.github.flinkduckdb.source..",
                        "io.github.flinkduckdb.otter..")
                .check(classes);
    }

    @Test
    void sinkNeedsNoTableApi() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.github.flinkduckdb.sink..", "io.github.flinkduckdb.connection..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink.table..")
                .check(classes);
    }

    @Test
    void onlyOwnersOpenDuckDBConnections() {
        onlyOwnersOpenConnections(
                        // the connection layer itself
                        "io.github.flinkduckdb.connection.",
                        // the direct writer: its target connection and its flush connection
                        "io.github.flinkduckdb.sink.DirectDuckDBWriter",
                        // the committer's target connection
                        "io.github.flinkduckdb.sink.DuckDBCommitter",
                        // the target's schema, read-only, while the job is built
                        "io.github.flinkduckdb.sink.CommitterPathSchema",
                        // in-memory staging databases
                        "io.github.flinkduckdb.sink.internal.StagingTable")
                .check(classes);
    }
}
