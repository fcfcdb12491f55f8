package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.compat.SinkAdapter;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job the failure tests run: a checkpointed generator of keyed batches {@code (batchId, rows)}
 * with distinct ids, optional injected failures, and the DuckDB sink.
 */
final class KeyedBatchJobs {

    static final String CREATE =
            "CREATE TABLE orders (id BIGINT NOT NULL, batch VARCHAR, amount DOUBLE, note VARCHAR)";

    private KeyedBatchJobs() {}

    static TypeInformation<Tuple2<String, List<Map<String, Object>>>> type() {
        return Types.TUPLE(
                Types.STRING, Types.LIST(Types.MAP(Types.STRING, Types.GENERIC(Object.class))));
    }

    /** Batch {@code i} holds ids {@code i * rowsPerBatch .. (i + 1) * rowsPerBatch - 1}. */
    static DataGeneratorSource<Tuple2<String, List<Map<String, Object>>>> source(
            long batches, int rowsPerBatch, double batchesPerSecond) {
        return new DataGeneratorSource<>(
                index -> {
                    List<Map<String, Object>> rows = new ArrayList<>(rowsPerBatch);
                    for (int r = 0; r < rowsPerBatch; r++) {
                        long id = index * rowsPerBatch + r;
                        Map<String, Object> row = new HashMap<>();
                        row.put("id", id);
                        row.put("batch", "b-" + index);
                        row.put("amount", id * 0.25);
                        row.put("note", (id % 7 == 0) ? null : "n" + (id % 100));
                        rows.add(row);
                    }
                    return Tuple2.of("b-" + index, rows);
                },
                batches,
                batchesPerSecond > 0
                        ? RateLimiterStrategy.perSecond(batchesPerSecond)
                        : RateLimiterStrategy.noOp(),
                type());
    }

    static StreamExecutionEnvironment environment(int parallelism, long checkpointMillis) {
        return environment(parallelism, checkpointMillis, new Configuration());
    }

    /** As above, with further settings (e.g. {@code execution.savepoint.path}). */
    static StreamExecutionEnvironment environment(
            int parallelism, long checkpointMillis, Configuration extra) {
        Configuration conf = new Configuration(extra);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        if (checkpointMillis > 0) {
            env.enableCheckpointing(checkpointMillis);
        }
        return env;
    }

    static SingleOutputStreamOperator<Tuple2<String, List<Map<String, Object>>>> batches(
            StreamExecutionEnvironment env,
            DataGeneratorSource<Tuple2<String, List<Map<String, Object>>>> source) {
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "keyed-batches")
                .returns(type());
    }

    /**
     * Fails the task when subtask 0 has passed on {@code afterRecords} records in an attempt below
     * {@code failingAttempts}: a failure in the middle of writing, recovered from the last
     * checkpoint.
     */
    static final class FailAfter
            extends RichMapFunction<
                    Tuple2<String, List<Map<String, Object>>>,
                    Tuple2<String, List<Map<String, Object>>>> {
        private static final long serialVersionUID = 1L;
        private final long afterRecords;
        private final int failingAttempts;
        private transient long seen;
        private transient boolean armed;

        FailAfter(long afterRecords, int failingAttempts) {
            this.afterRecords = afterRecords;
            this.failingAttempts = failingAttempts;
        }

        @Override
        public void open(OpenContext openContext) {
            armed =
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                            && getRuntimeContext().getTaskInfo().getAttemptNumber()
                                    < failingAttempts;
        }

        @Override
        public Tuple2<String, List<Map<String, Object>>> map(
                Tuple2<String, List<Map<String, Object>>> value) {
            if (armed && ++seen > afterRecords) {
                throw new IllegalStateException("Injected failure while writing (test)");
            }
            return value;
        }
    }

    /** How many times each named sink's committer should still fail right after committing. */
    static final Map<String, AtomicInteger> COMMIT_FAILURES = new ConcurrentHashMap<>();

    /**
     * A sink whose committer throws right after a successful commit, before Flink records it: after
     * the restart the same committables are replayed and must be skipped. Wraps the real sink and
     * hands everything else to it.
     */
    static final class FailingAfterCommitSink<IN> extends SinkAdapter<IN>
            implements SupportsCommitter<DuckDBCommittable>,
                    SupportsPreCommitTopology<DuckDBCommittable, DuckDBCommittable> {
        private static final long serialVersionUID = 1L;
        private final DuckDBSink<IN> sink;
        private final String name;

        FailingAfterCommitSink(DuckDBSink<IN> sink, String name, int failures) {
            this.sink = sink;
            this.name = name;
            COMMIT_FAILURES.put(name, new AtomicInteger(failures));
        }

        @Override
        public SinkWriter<IN> createWriter(WriterInitContext context) throws IOException {
            return sink.createWriter(context);
        }

        @Override
        public DataStream<CommittableMessage<DuckDBCommittable>> addPreCommitTopology(
                DataStream<CommittableMessage<DuckDBCommittable>> committables) {
            return sink.addPreCommitTopology(committables);
        }

        @Override
        public SimpleVersionedSerializer<DuckDBCommittable> getWriteResultSerializer() {
            return sink.getWriteResultSerializer();
        }

        @Override
        public SimpleVersionedSerializer<DuckDBCommittable> getCommittableSerializer() {
            return sink.getCommittableSerializer();
        }

        @Override
        public Committer<DuckDBCommittable> createCommitter(CommitterInitContext context)
                throws IOException {
            Committer<DuckDBCommittable> delegate = sink.createCommitter(context);
            return new Committer<DuckDBCommittable>() {
                @Override
                public void commit(Collection<CommitRequest<DuckDBCommittable>> requests)
                        throws IOException, InterruptedException {
                    delegate.commit(requests);
                    if (!requests.isEmpty() && COMMIT_FAILURES.get(name).getAndDecrement() > 0) {
                        throw new IllegalStateException(
                                "Injected failure between commit and checkpoint bookkeeping (test)");
                    }
                }

                @Override
                public void close() throws Exception {
                    delegate.close();
                }
            };
        }
    }
}
