package io.github.flinkduckdb.sink.suite;

import io.github.flinkduckdb.sink.DuckDBSink;

import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;

import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Flink's own connector test suite ({@link SinkTestSuiteBase} from flink-connector-test-utils) for
 * {@link DuckDBSink}: a job writing generated strings, stop-with-savepoint and restart at the same,
 * a higher and a lower parallelism, and the writer's {@code numRecordsSend}; each in exactly-once
 * and at-least-once, with the sink's defaults and with the file released between commits (two
 * contexts, {@link SinkDefaults} and {@link ReleasingBetweenCommits}). Each case writes to a fresh
 * DuckDB file and reads the table back; exactly-once fails on any duplicate or missing row.
 *
 * <p>Compiled once against Flink 1.20 with what the suite has in both lines; each line's connector
 * module runs it with two subclasses of its own (one per context, so that the module's two test
 * JVMs share the suite's minute), compiled against that line's suite.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class DuckDBSinkTestSuite extends SinkTestSuiteBase<String> {

    /**
     * How long a case waits for the table to hold the expected rows. The suite's own check waits
     * without end and says nothing about what it saw; past this, the case fails with the
     * difference.
     */
    private static final Duration RESULT_TIMEOUT = Duration.ofMinutes(2);

    private static final int EXAMPLES = 5;

    @TestEnv protected final MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    /** The suite with the sink's defaults. */
    public abstract static class SinkDefaults extends DuckDBSinkTestSuite {
        @TestContext
        protected final DuckDBSinkExternalContextFactory defaults =
                DuckDBSinkExternalContextFactory.defaults();
    }

    /** The suite with the database file released between commits. */
    public abstract static class ReleasingBetweenCommits extends DuckDBSinkTestSuite {
        @TestContext
        protected final DuckDBSinkExternalContextFactory releasingBetweenCommits =
                DuckDBSinkExternalContextFactory.releasingBetweenCommits();
    }

    @TestSemantics
    protected final CheckpointingMode[] semantics = {
        CheckpointingMode.EXACTLY_ONCE, CheckpointingMode.AT_LEAST_ONCE
    };

    /** The suite's own check, bounded in time; on timeout, what the table holds instead. */
    @Override
    protected void checkResultWithSemantic(
            ExternalSystemDataReader<String> reader,
            List<String> testData,
            CheckpointingMode semantic)
            throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> check =
                    executor.submit(
                            () -> {
                                super.checkResultWithSemantic(reader, testData, semantic);
                                return null;
                            });
            try {
                check.get(RESULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                check.cancel(true);
                throw new AssertionError(
                        difference(
                                ((DuckDBTableReader) reader).committedCounts(), testData, semantic),
                        e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception) {
                    throw (Exception) e.getCause();
                }
                throw e;
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private static String difference(
            Map<String, Long> table, List<String> expected, CheckpointingMode semantic) {
        Map<String, Long> missing = new HashMap<>();
        for (String record : expected) {
            missing.merge(record, 1L, Long::sum);
        }
        List<String> duplicated = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        long rows = 0;
        for (Map.Entry<String, Long> value : table.entrySet()) {
            rows += value.getValue();
            if (missing.remove(value.getKey()) == null) {
                unexpected.add(value.getKey());
            } else if (value.getValue() > 1) {
                duplicated.add(value.getKey() + " x" + value.getValue());
            }
        }
        return String.format(
                "After %s the table holds %d rows, expected the %d records %s: %d missing %s,"
                        + " %d unexpected %s, %d duplicated %s",
                RESULT_TIMEOUT,
                rows,
                expected.size(),
                semantic,
                missing.size(),
                examples(new ArrayList<>(missing.keySet())),
                unexpected.size(),
                examples(unexpected),
                duplicated.size(),
                examples(duplicated));
    }

    private static List<String> examples(List<String> values) {
        return values.subList(0, Math.min(EXAMPLES, values.size()));
    }
}
