package io.github.flinkduckdb.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.github.flinkduckdb.testing.ArchitectureRules.SINK_INTERNAL;
import static io.github.flinkduckdb.testing.ArchitectureRules.mainClassesOfThisModule;
import static io.github.flinkduckdb.testing.ArchitectureRules.noDependencyOn;
import static io.github.flinkduckdb.testing.ArchitectureRules.onlyOwnersOpenConnections;

/**
 * flink-otter-sql-transform's layout: the transform is independent of every source and sink
 * connector (ours included), and only its embedded database opens DuckDB connections.
 */
class TransformArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = mainClassesOfThisModule();
    }

    @Test
    void neverImportsASourceOrSinkConnector() {
        noDependencyOn(
                        "io.github.flinkduckdb.sink..",
                        SINK_INTERNAL,
                        "io.github.flinkduckdb.table..",
                        "io.github.flinkduckdb.source..",
                        "io.github.flinkduckdb.catalog..",
                        "org.apache.flink.connector.kafka..",
                        "org.apache.flink.connector.file..",
                        "org.apache.flink.streaming.connectors..",
                        "com.rabbitmq..")
                .check(classes);
    }

    @Test
    void onlyTheEmbeddedDatabaseOpensConnections() {
        onlyOwnersOpenConnections("io.github.flinkduckdb.otter.internal.OtterDatabase")
                .check(classes);
    }
}
