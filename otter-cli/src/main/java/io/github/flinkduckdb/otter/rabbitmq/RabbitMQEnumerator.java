package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives every reader that asks one consumer slot on the queue, and runs the start-up exchange of
 * de-duplication ids: once every reader ({@code currentParallelism()}) reported the ids it
 * restored, each gets the union, and only then starts consuming.
 *
 * <p>If one reader restarts while others keep running (a region failover), the survivors have not
 * seen the restarted reader's restored ids, and the broker hands the restarted reader's
 * unacknowledged messages to them: with de-duplication on, the enumerator then fails the job, so
 * Flink restarts every reader from the checkpoint (a global failover). When all readers restarted
 * it simply runs the exchange again.
 */
final class RabbitMQEnumerator implements SplitEnumerator<RabbitMQSplit, RabbitMQEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMQEnumerator.class);

    private final SplitEnumeratorContext<RabbitMQSplit> context;
    private final String queue;
    private final boolean deduplicate;
    private int nextSlot;

    /** Reports of the current exchange: subtask to (registration, ids). */
    private final Map<Integer, Report> reports = new HashMap<>();

    /**
     * Registrations per subtask: every new attempt of a reader registers again ({@link
     * #addReader}), so a report's registration number tells whether the reader that sent it still
     * runs.
     */
    private final Map<Integer, Integer> registrations = new HashMap<>();

    private boolean unionSent;

    RabbitMQEnumerator(
            SplitEnumeratorContext<RabbitMQSplit> context,
            String queue,
            boolean deduplicate,
            int nextSlot) {
        this.context = context;
        this.queue = queue;
        this.deduplicate = deduplicate;
        this.nextSlot = nextSlot;
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        context.assignSplit(new RabbitMQSplit(queue, nextSlot++, List.of()), subtaskId);
    }

    @Override
    public void addSplitsBack(List<RabbitMQSplit> splits, int subtaskId) {
        // A slot is no resource: the restarted reader asks for a new one.
    }

    @Override
    public void addReader(int subtaskId) {
        registrations.merge(subtaskId, 1, Integer::sum);
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
        if (!(sourceEvent instanceof DeduplicationEvents.RestoredIds)) {
            return;
        }
        List<String> ids = ((DeduplicationEvents.RestoredIds) sourceEvent).ids;
        int registration = registrations.getOrDefault(subtaskId, 0);
        if (unionSent) {
            restartedReader(subtaskId);
        }
        reports.put(subtaskId, new Report(registration, ids));
        // A task failure restarts every reader but keeps this enumerator (Flink resets it only on
        // a global failover): a reader that registered again since it reported sent that report
        // from an attempt that died, maybe restored from another checkpoint; so did a reader that
        // is not registered at all (its attempt was cancelled and the next one has not registered
        // yet: in quick restarts one reader's new attempt can report before the other's
        // registers). Only the reports of the current attempts make the union.
        Set<Integer> live = context.registeredReaders().keySet();
        reports.entrySet()
                .removeIf(
                        e ->
                                !live.contains(e.getKey())
                                        || registrations.getOrDefault(e.getKey(), 0)
                                                != e.getValue().registration);
        if (reports.size() < context.currentParallelism()) {
            LOG.info(
                    "RabbitMQ source on {}: reader {} reported {} restored id(s); waiting for {} of {}",
                    queue,
                    subtaskId,
                    ids.size(),
                    context.currentParallelism() - reports.size(),
                    context.currentParallelism());
            return;
        }
        Set<String> union = new HashSet<>();
        for (Report r : reports.values()) {
            union.addAll(r.ids);
        }
        LOG.info(
                "RabbitMQ source on {}: all {} readers reported; {} restored id(s) in the union",
                queue,
                reports.size(),
                union.size());
        DeduplicationEvents.KnownIds known =
                new DeduplicationEvents.KnownIds(new ArrayList<>(union));
        for (int subtask : reports.keySet()) {
            context.sendEventToSourceReader(subtask, known);
        }
        unionSent = true;
    }

    /**
     * A reader reports after the union went out: it restarted. Fine if every other reader of that
     * exchange restarted too (a new exchange starts); a failure of the job when one of them still
     * runs its old attempt.
     */
    private void restartedReader(int subtaskId) {
        Set<Integer> live = context.registeredReaders().keySet();
        for (Map.Entry<Integer, Report> e : reports.entrySet()) {
            int other = e.getKey();
            boolean survived =
                    other != subtaskId
                            && live.contains(other)
                            && registrations.getOrDefault(other, 0) == e.getValue().registration;
            if (survived && deduplicate) {
                throw new FlinkRuntimeException(
                        "RabbitMQ source on "
                                + queue
                                + ": reader "
                                + subtaskId
                                + " restarted while reader "
                                + other
                                + " kept running; de-duplication across readers needs every"
                                + " reader to restart from the checkpoint, so the job restarts"
                                + " (set jobmanager.execution.failover-strategy: full to avoid"
                                + " this extra restart)");
            }
        }
        LOG.info("RabbitMQ source on {}: readers restarted; exchanging restored ids again", queue);
        reports.clear();
        unionSent = false;
    }

    @Override
    public RabbitMQEnumeratorState snapshotState(long checkpointId) {
        return new RabbitMQEnumeratorState(nextSlot);
    }

    @Override
    public void close() {}

    /** One reader's report. */
    private static final class Report {
        final int registration;
        final List<String> ids;

        Report(int registration, List<String> ids) {
            this.registration = registration;
            this.ids = ids;
        }
    }
}
