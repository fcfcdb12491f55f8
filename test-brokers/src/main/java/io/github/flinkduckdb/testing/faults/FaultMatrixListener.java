package io.github.flinkduckdb.testing.faults;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Prints the fault matrix at the end of a module's test run when its tests recorded rows
 * (registered through {@code META-INF/services}, so every module with test-brokers on its test
 * class path has it).
 */
public final class FaultMatrixListener implements TestExecutionListener {

    private Instant started;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        started = Instant.now();
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        String table = FaultMatrix.table(FaultMatrix.directory());
        if (table.isEmpty()) {
            return;
        }
        String text =
                "Fault matrix ("
                        + FaultMatrix.directory().toAbsolutePath()
                        + ", test run started "
                        + started
                        + "):\n"
                        + table;
        System.out.println(text);
        // The build echoes this file after the tests (surefire sends test output to files).
        Path file = FaultMatrix.directory().resolveSibling("fault-matrix.md");
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
