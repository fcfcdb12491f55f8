package io.github.flinkduckdb.otter.rabbitmq;

import io.github.flinkduckdb.otter.testing.Broker;
import io.github.flinkduckdb.otter.testing.Poll;
import io.github.flinkduckdb.otter.testing.Rabbit;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two readers of one job on the machine's RabbitMQ, driven by hand to pin down the order of events
 * that a job's timing makes rare: the broker closes one reader's connection (as {@code rabbitmqctl
 * close_connection} or a network fault does) before the reader notices, and hands the messages that
 * reader had emitted but not acknowledged to the other one. The other reader must not emit them
 * into a checkpoint that could complete alongside the first reader's (the same rows twice in an
 * exactly-once sink): it waits for a checkpoint whose snapshot came after their arrival, and the
 * first reader's next snapshot fails because its channel is gone. A lone reader has no such
 * neighbour and takes redeliveries at once.
 */
class CompetingReadersITCase {

    private static final int N = 20;

    private Rabbit rabbit;
    private String queue;
    private final List<SourceReader<String, RabbitMQSplit>> readers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Broker.assumeConnectionsClosable();
        rabbit = new Rabbit();
        queue = rabbit.queue("flink-rabbitmq-competing");
        for (int i = 0; i < N; i++) {
            rabbit.publish(queue, "{\"n\": " + i + "}", "m-" + i);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (SourceReader<String, RabbitMQSplit> r : readers) {
            r.close();
        }
        if (rabbit != null) {
            rabbit.close();
        }
    }

    @Test
    void redeliveriesOfAReaderWhoseConnectionClosedWaitForTheNextCheckpoint() throws Exception {
        SourceReader<String, RabbitMQSplit> first = reader(0, 2);
        Collected fromFirst = new Collected();
        pollUntil(first, fromFirst, N);
        first.snapshotState(1);

        // The broker drops the first reader's connection; its 20 deliveries go back to the queue.
        Broker.closeConnections(Broker.consumerConnections(queue), "competing readers test");
        Poll.until(
                "the first reader's deliveries back", Duration.ofSeconds(30), () -> ready() == N);

        SourceReader<String, RabbitMQSplit> second = reader(1, 2);
        Collected fromSecond = new Collected();
        Poll.until(
                "the second reader holding the redeliveries",
                Duration.ofSeconds(30),
                () -> {
                    pollFor(second, fromSecond, Duration.ofMillis(50));
                    return ready() == 0;
                });
        pollFor(second, fromSecond, Duration.ofMillis(500));
        assertThat(fromSecond.ids)
                .as("redeliveries emitted before a checkpoint covered their arrival")
                .isEmpty();
        assertThat(second.isAvailable())
                .as("the reader waits instead of polling the held delivery")
                .isNotDone();

        // The first reader's next snapshot finds its channel closed: that checkpoint cannot
        // complete, so neither can one holding the second reader's copies.
        assertThatThrownBy(() -> first.snapshotState(2))
                .hasMessageContaining("RabbitMQ source on " + queue + " (reader 0)")
                .hasMessageContaining("lost its connection")
                .hasMessageContaining(N + " deliveries waited for their acknowledgement");

        // Once a checkpoint whose snapshot came after their arrival completes, they are taken.
        second.snapshotState(2);
        second.notifyCheckpointComplete(2);
        pollUntil(second, fromSecond, N);
        assertThat(fromSecond.ids).containsExactlyInAnyOrderElementsOf(fromFirst.ids);
    }

    @Test
    void aLoneReaderTakesRedeliveriesAtOnce() throws Exception {
        SourceReader<String, RabbitMQSplit> first = reader(0, 1);
        pollUntil(first, new Collected(), N);
        first.close();
        readers.remove(first);
        Poll.until("the deliveries back", Duration.ofSeconds(30), () -> ready() == N);

        SourceReader<String, RabbitMQSplit> again = reader(0, 1);
        Collected taken = new Collected();
        pollUntil(again, taken, N);
        assertThat(taken.ids).hasSize(N).doesNotHaveDuplicates();
    }

    // ------------------------------------------------------------------ helpers

    private long ready() throws Exception {
        return rabbit.count(queue);
    }

    /** A de-duplicating reader, subtask {@code index} of {@code parallelism}, consuming. */
    private SourceReader<String, RabbitMQSplit> reader(int index, int parallelism)
            throws Exception {
        SourceReader<String, RabbitMQSplit> reader =
                RabbitMQSourceITCase.idSource(queue, 50, true)
                        .createReader(new Context(index, parallelism));
        readers.add(reader);
        reader.addSplits(List.of(new RabbitMQSplit(queue, index, List.of())));
        reader.start();
        // What the enumerator sends once every reader reported: nothing was restored.
        reader.handleSourceEvents(new DeduplicationEvents.KnownIds(List.of()));
        return reader;
    }

    private static void pollUntil(SourceReader<String, RabbitMQSplit> reader, Collected out, int n)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.ids.size() < n) {
            assertThat(System.nanoTime()).as("%d records within 30 s", n).isLessThan(deadline);
            pollFor(reader, out, Duration.ofMillis(100));
        }
    }

    /** Polls as a source task does: while data is available, then waits for availability. */
    private static void pollFor(
            SourceReader<String, RabbitMQSplit> reader, Collected out, Duration wait)
            throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (reader.pollNext(out) == InputStatus.MORE_AVAILABLE) {
                continue;
            }
            try {
                reader.isAvailable()
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return;
            }
        }
    }

    /** The records a reader emitted. */
    private static final class Collected implements ReaderOutput<String> {
        final List<String> ids = new ArrayList<>();

        @Override
        public void collect(String record) {
            ids.add(record);
        }

        @Override
        public void collect(String record, long timestamp) {
            ids.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<String> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }

    /** What a source task gives its reader, for one subtask of {@code parallelism}. */
    private static final class Context implements SourceReaderContext {
        private final int index;
        private final int parallelism;

        Context(int index, int parallelism) {
            this.index = index;
            this.parallelism = parallelism;
        }

        @Override
        public SourceReaderMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
        }

        @Override
        public Configuration getConfiguration() {
            return new Configuration();
        }

        @Override
        public String getLocalHostName() {
            return "localhost";
        }

        @Override
        public int getIndexOfSubtask() {
            return index;
        }

        @Override
        public void sendSplitRequest() {}

        @Override
        public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {}

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
        }

        @Override
        public int currentParallelism() {
            return parallelism;
        }
    }
}
