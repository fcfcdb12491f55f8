package io.github.flinkduckdb.testing;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * ArchUnit rules every module checks on its own main classes (each module's {@code
 * *ArchitectureTest}): which packages it may depend on, and which of its classes may open a DuckDB
 * connection.
 */
public final class ArchitectureRules {

    /** The connector module's internal package: no other module imports it. */
    public static final String SINK_INTERNAL = "io.github.flinkduckdb.sink.internal..";

    /** The transform module's internal package: no other module imports it. */
    public static final String OTTER_INTERNAL = "io.github.flinkduckdb.otter.internal..";

    private ArchitectureRules() {}

    /** The main classes of the module whose tests run (Surefire runs in the module's folder). */
    public static JavaClasses mainClassesOfThisModule() {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPath(Paths.get("target", "classes"));
    }

    /** No class depends on a class in any of these packages. */
    public static ArchRule noDependencyOn(String... packages) {
        return noClasses().should().dependOnClassesThat().resideInAnyPackage(packages);
    }

    /**
     * Only the given classes (exact names, nested classes included, or package prefixes ending in a
     * dot) open a DuckDB connection: a connection is opened by its owner and closed by it.
     */
    public static ArchRule onlyOwnersOpenConnections(String... owners) {
        List<String> list = Arrays.asList(owners);
        return noClasses()
                .that(DescribedPredicate.describe("are not among " + list, c -> !owns(list, c)))
                .should()
                .callMethodWhere(OPENS_A_CONNECTION)
                .because("a DuckDB connection is opened by its owner and closed by it");
    }

    private static boolean owns(List<String> owners, JavaClass c) {
        String name = c.getName();
        for (String o : owners) {
            if (o.endsWith(".") ? name.startsWith(o) : name.equals(o) || name.startsWith(o + "$")) {
                return true;
            }
        }
        return false;
    }

    private static final DescribedPredicate<JavaMethodCall> OPENS_A_CONNECTION =
            DescribedPredicate.describe(
                    "opens a DuckDB connection",
                    call -> {
                        String owner = call.getTargetOwner().getName();
                        String name = call.getName();
                        switch (owner) {
                            case "io.github.flinkduckdb.connection.DuckDBConnectionProvider":
                                return name.startsWith("open");
                            case "io.github.flinkduckdb.connection.DuckDBDriverConnections":
                                return name.equals("connect") || name.equals("inMemory");
                            case "java.sql.DriverManager":
                                return name.equals("getConnection");
                            case "org.duckdb.DuckDBConnection":
                                return name.equals("duplicate");
                            case "org.duckdb.DuckDBDriver":
                                return name.equals("connect");
                            default:
                                return false;
                        }
                    });
}
