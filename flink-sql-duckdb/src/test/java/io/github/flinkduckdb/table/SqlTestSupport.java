package io.github.flinkduckdb.table;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Table environments on the test MiniCluster and small helpers for reading results. */
public final class SqlTestSupport {

    private SqlTestSupport() {}

    /** One TaskManager with four slots: every writer and the committer share the test JVM. */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(4)
                        .setConfiguration(new Configuration())
                        .build());
    }

    /** A streaming table environment; checkpoints every {@code checkpointMillis} if > 0. */
    public static StreamTableEnvironment streaming(int parallelism, long checkpointMillis) {
        return StreamTableEnvironment.create(environment(parallelism, checkpointMillis));
    }

    /** A streaming environment; checkpoints every {@code checkpointMillis} if > 0. */
    public static StreamExecutionEnvironment environment(int parallelism, long checkpointMillis) {
        Configuration conf = new Configuration();
        if (checkpointMillis > 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(100));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        if (checkpointMillis > 0) {
            env.enableCheckpointing(checkpointMillis);
        }
        return env;
    }

    /** A batch-mode table environment. */
    public static StreamTableEnvironment batch(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        return StreamTableEnvironment.create(env);
    }

    public static List<Row> collect(TableResult result) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                rows.add(it.next());
            }
        }
        return rows;
    }

    /** The rows' string forms ({@code +I[1, a]}), sorted. */
    public static List<String> sortedStrings(List<Row> rows) {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(r.toString());
        }
        out.sort(String::compareTo);
        return out;
    }

    public static String sqlPath(Path file) {
        return file.toAbsolutePath().toString().replace("'", "''");
    }

    public static DuckDBTestDatabase database(Path file) {
        return DuckDBTestDatabase.at(file);
    }
}
