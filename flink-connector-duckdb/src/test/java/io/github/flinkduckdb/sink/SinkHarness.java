package io.github.flinkduckdb.sink;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Drives the sink's real writer and committer without a Flink cluster: the same classes, the same
 * DuckDB files, deterministic timing. Job-level behaviour is tested on a MiniCluster elsewhere.
 */
final class SinkHarness<IN> implements AutoCloseable {

    private final DuckDBSink<IN> sink;
    private final DuckDBSinkWriter<IN> writer;
    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private DuckDBCommitter committer;

    private SinkHarness(DuckDBSink<IN> sink, WriteMode mode, int subtask) throws Exception {
        this.sink = sink;
        sink.settle(
                mode == WriteMode.DIRECT ? "local" : "remote", mode == WriteMode.DIRECT ? 1 : 2);
        if (sink.resolvedMode() != mode) {
            throw new IllegalStateException("Sink resolved to " + sink.resolvedMode());
        }
        this.writer =
                DuckDBSinkWriter.create(
                        sink.getConfig(),
                        mode,
                        sink.declaredSchema(),
                        sink.recordConverter(),
                        time,
                        UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
                        "test-job",
                        subtask,
                        0);
    }

    static <IN> SinkHarness<IN> direct(DuckDBSink<IN> sink) throws Exception {
        return new SinkHarness<>(sink, WriteMode.DIRECT, 0);
    }

    static <IN> SinkHarness<IN> committerPath(DuckDBSink<IN> sink) throws Exception {
        return new SinkHarness<>(sink, WriteMode.COMMITTER, 0);
    }

    @SafeVarargs
    final SinkHarness<IN> write(IN... records) throws Exception {
        for (IN r : records) {
            writer.write(r, NO_CONTEXT);
        }
        return this;
    }

    /** What happens before a checkpoint barrier. */
    List<DuckDBCommittable> checkpoint() throws Exception {
        writer.flush(false);
        return new ArrayList<>(writer.prepareCommit());
    }

    /** End of input. */
    List<DuckDBCommittable> endInput() throws Exception {
        writer.flush(true);
        return new ArrayList<>(writer.prepareCommit());
    }

    void advanceTime(long millis) throws Exception {
        time.setCurrentTime(time.getCurrentProcessingTime() + millis);
    }

    /** Commits like the committer operator after a completed checkpoint; returns the requests. */
    List<Request> commit(Collection<DuckDBCommittable> committables) throws Exception {
        if (committer == null) {
            committer = newCommitter(sink);
        }
        List<Request> requests = new ArrayList<>();
        for (DuckDBCommittable c : committables) {
            requests.add(new Request(c));
        }
        List<Committer.CommitRequest<DuckDBCommittable>> raw = new ArrayList<>(requests);
        committer.commit(raw);
        return requests;
    }

    static DuckDBCommitter newCommitter(DuckDBSink<?> sink) {
        return new DuckDBCommitter(
                sink.getConfig(),
                InternalSinkCommitterMetricGroup.wrap(
                        UnregisteredMetricsGroup.createOperatorMetricGroup()),
                0);
    }

    @Override
    public void close() throws Exception {
        writer.close();
        if (committer != null) {
            committer.close();
        }
    }

    /** A commit request that records how the committer answered. */
    static final class Request implements Committer.CommitRequest<DuckDBCommittable> {
        private final DuckDBCommittable committable;
        boolean alreadyCommitted;
        boolean retryLater;
        Throwable failed;

        Request(DuckDBCommittable committable) {
            this.committable = committable;
        }

        @Override
        public DuckDBCommittable getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            failed = t;
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            failed = t;
        }

        @Override
        public void retryLater() {
            retryLater = true;
        }

        @Override
        public void updateAndRetryLater(DuckDBCommittable committable) {
            retryLater = true;
        }

        @Override
        public void signalAlreadyCommitted() {
            alreadyCommitted = true;
        }
    }

    private static final SinkWriter.Context NO_CONTEXT =
            new SinkWriter.Context() {
                @Override
                public long currentWatermark() {
                    return Long.MIN_VALUE;
                }

                @Override
                public Long timestamp() {
                    return null;
                }
            };
}
