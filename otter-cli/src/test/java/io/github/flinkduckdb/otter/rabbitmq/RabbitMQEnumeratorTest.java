package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The enumerator's exchange of restored ids across reader restarts, driven as Flink's source
 * coordinator drives it: a task failure unregisters every reader and keeps the enumerator, and each
 * new attempt registers and reports again.
 */
class RabbitMQEnumeratorTest {

    private MockSplitEnumeratorContext<RabbitMQSplit> context;
    private RabbitMQEnumerator enumerator;

    @BeforeEach
    void setUp() {
        context = new MockSplitEnumeratorContext<>(2);
        enumerator = new RabbitMQEnumerator(context, "orders", true, 0);
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
    }

    @Test
    void aReportOfAFailedAttemptIsNotPartOfTheUnion() throws Exception {
        start(0);
        start(1);
        report(0);
        report(1);
        assertThat(known(0)).containsExactly(List.of());

        // Every reader restarts (a task failure); only reader 1 reports before the next failure.
        restartAll();
        report(1, "a");
        restartAll();

        // The next attempt, restored from another checkpoint: reader 0 alone is no quorum.
        report(0, "b");
        assertThat(known(0)).as("no union from reader 1's dead attempt").hasSize(1);
        report(1, "c");
        assertThat(known(0)).hasSize(2);
        assertThat(known(0).get(1)).containsExactlyInAnyOrder("b", "c");
        assertThat(known(1).get(known(1).size() - 1)).containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void aReportOfAReaderWhoseNewAttemptHasNotRegisteredIsNotPartOfTheUnion() throws Exception {
        start(0);
        start(1);
        report(0);
        report(1);
        // Every reader restarts (a task failure); only reader 0 reports before the next failure.
        restartAll();
        report(0, "a");
        // Every reader is cancelled again (quick restarts while an output fails, as during a full
        // disk); reader 1's new attempt registers and reports before reader 0's registers.
        context.unregisterReader(0);
        context.unregisterReader(1);
        start(1);
        report(1, "b");
        assertThat(known(1)).as("no union with reader 0's dead attempt").hasSize(1);

        // Reader 0's new attempt: the exchange completes, no reader counts as restarted alone.
        start(0);
        report(0, "c");
        assertThat(known(0)).hasSize(2);
        assertThat(known(0).get(1)).containsExactlyInAnyOrder("b", "c");
        assertThat(known(1).get(1)).containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void aReaderRestartedAloneFailsTheJob() throws Exception {
        start(0);
        start(1);
        report(0, "x");
        report(1);
        context.unregisterReader(1);
        start(1);
        assertThatThrownBy(() -> report(1, "y"))
                .hasMessageContaining("reader 1 restarted while reader 0 kept running");
    }

    private void start(int subtask) {
        context.registerReader(new ReaderInfo(subtask, "localhost"));
        enumerator.addReader(subtask);
    }

    private void restartAll() {
        for (int subtask = 0; subtask < 2; subtask++) {
            context.unregisterReader(subtask);
            start(subtask);
        }
    }

    private void report(int subtask, String... ids) {
        enumerator.handleSourceEvent(subtask, new DeduplicationEvents.RestoredIds(List.of(ids)));
    }

    /** The unions sent to {@code subtask}, in order. */
    private List<List<String>> known(int subtask) throws Exception {
        Map<Integer, List<SourceEvent>> sent = context.getSentSourceEvent();
        List<List<String>> out = new ArrayList<>();
        for (SourceEvent e : sent.getOrDefault(subtask, List.of())) {
            out.add(((DeduplicationEvents.KnownIds) e).ids);
        }
        return out;
    }
}
