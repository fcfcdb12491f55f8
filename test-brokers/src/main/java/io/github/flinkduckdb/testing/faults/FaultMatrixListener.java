package io.github.flinkduckdb.testing.faults;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

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
        if (!table.isEmpty()) {
            System.out.println();
            System.out.println(
                    "Fault matrix ("
                            + FaultMatrix.directory().toAbsolutePath()
                            + ", run started "
                            + started
                            + "):");
            System.out.print(table);
        }
    }
}
