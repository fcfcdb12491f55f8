package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.FlinkRuntimeException;

import com.rabbitmq.client.AMQP;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One competing consumer of the queue. Deliveries are emitted on the task thread in the order the
 * channel delivered them and acknowledged when the checkpoint that covers them completes, on the
 * channel that delivered them ({@link DeliveryLedger}).
 *
 * <p>With de-duplication the reader first reports its restored ids to the enumerator and starts
 * consuming only when it has the union of every reader's ids; deliveries whose id is in it, or in
 * the reader's own pending ids, are dropped (and acknowledged with the checkpoint). A lost
 * connection while deliveries wait for their acknowledgement then fails the reader: another
 * consumer may already hold them, and only a restart of every reader from the checkpoint keeps them
 * exactly-once. Without de-duplication, and with nothing unacknowledged, the reader reconnects in
 * place with a growing delay; the tags of the old channel are void (the broker redelivers those
 * messages).
 *
 * <p>With de-duplication and other readers on the queue, a reader whose connection the broker
 * closed may not notice at once, and meanwhile the broker hands its unacknowledged deliveries to
 * the others, whose ids do not hold them. So a redelivered message whose id a reader does not know
 * waits until a checkpoint whose snapshot came after its arrival completed, and every snapshot
 * first proves the reader's channel alive with a call the broker answers: a checkpoint that could
 * commit such a message twice (once from the reader that lost it, once from the one that got it)
 * never completes, and the restart from the last one that did drops the repeat by its id.
 *
 * <p>{@link Acknowledgements} acknowledges the completed checkpoints and releases their ids once
 * the broker answered, without the task thread waiting for the answer.
 */
final class RabbitMQSourceReader<T> implements SourceReader<T, RabbitMQSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMQSourceReader.class);
    private static final long FIRST_RETRY_MILLIS = 500;
    private static final long MAX_RETRY_MILLIS = 30_000;

    private final SourceReaderContext context;
    private final RabbitMQConnectionConfig connection;
    private final String queue;
    private final boolean declareQueue;
    private final int prefetch;
    private final boolean deduplicate;
    private final RabbitMQDeserializer<T> deserializer;

    private final DeliveryHandover handover = new DeliveryHandover();
    private final DeliveryLedger ledger;
    private final Acknowledgements acknowledgements;
    private final List<RabbitMQSplit> splits = new ArrayList<>();
    private final ScheduledExecutorService retryTimer;

    private final Counter messages;
    private final Counter duplicates;
    private final Counter redeliveries;
    private final Counter reconnects;

    private QueueConsumer consumer;
    private long nextEpoch;
    private boolean knowsRestoredIds;
    private boolean competing;
    private IOException failure;

    /** Per checkpoint not yet completed: the handover's offers at its snapshot. */
    private final NavigableMap<Long, Long> arrivedAtSnapshot = new TreeMap<>();

    /** Redeliveries of unknown id that arrived up to here may be taken (a sequence number). */
    private long redeliveriesTakenUpTo;

    private long retryDelayMillis = FIRST_RETRY_MILLIS;
    private long nextConnectAtMillis;

    RabbitMQSourceReader(
            SourceReaderContext context,
            RabbitMQConnectionConfig connection,
            String queue,
            boolean declareQueue,
            int prefetch,
            boolean deduplicate,
            RabbitMQDeserializer<T> deserializer) {
        this.context = context;
        this.connection = connection;
        this.queue = queue;
        this.declareQueue = declareQueue;
        this.prefetch = prefetch;
        this.deduplicate = deduplicate;
        this.deserializer = deserializer;
        this.ledger = new DeliveryLedger(deduplicate);
        this.acknowledgements =
                new Acknowledgements(
                        ledger, handover, this::connectionLost, queue, context.getIndexOfSubtask());
        this.knowsRestoredIds = !deduplicate;
        this.retryTimer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "rabbitmq-source-retry-" + queue);
                            t.setDaemon(true);
                            return t;
                        });
        MetricGroup metrics = context.metricGroup();
        this.messages = metrics.counter("rabbitmqMessages");
        this.duplicates = metrics.counter("rabbitmqDuplicatesDropped");
        this.redeliveries = metrics.counter("rabbitmqRedeliveries");
        this.reconnects = metrics.counter("rabbitmqReconnects");
        metrics.gauge("rabbitmqPendingAcks", ledger::unacknowledged);
    }

    @Override
    public void start() {
        competing = deduplicate && parallelism() > 1;
        if (splits.isEmpty()) {
            context.sendSplitRequest();
        }
        if (deduplicate) {
            context.sendSourceEventToCoordinator(
                    new DeduplicationEvents.RestoredIds(ledger.stateIds()));
        }
    }

    private int parallelism() {
        try {
            return context.currentParallelism();
        } catch (UnsupportedOperationException e) {
            return Integer.MAX_VALUE; // a context that cannot tell: assume other readers
        }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        if (failure != null) {
            throw failure;
        }
        acknowledgements.takeConfirmations();
        if (consumer == null && !connect()) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        if (competing) {
            long offersSeen = handover.look();
            Object head = handover.peek();
            if (head instanceof DeliveryHandover.Delivery
                    && mustWait((DeliveryHandover.Delivery) head)) {
                if (!consumer.isOpen()) {
                    connectionLost("the channel closed", null);
                } else {
                    handover.hold(offersSeen);
                }
                return InputStatus.NOTHING_AVAILABLE;
            }
        }
        Object item = handover.poll();
        if (item instanceof DeliveryHandover.ConnectionLost) {
            DeliveryHandover.ConnectionLost lost = (DeliveryHandover.ConnectionLost) item;
            if (consumer != null && lost.epoch == consumer.epoch()) {
                connectionLost(lost.reason, null);
            }
        } else if (item instanceof DeliveryHandover.Delivery) {
            DeliveryHandover.Delivery d = (DeliveryHandover.Delivery) item;
            if (consumer != null && d.epoch == consumer.epoch()) {
                take(d, output);
            }
        }
        return handover.isEmpty() ? InputStatus.NOTHING_AVAILABLE : InputStatus.MORE_AVAILABLE;
    }

    /**
     * Whether {@code d} is a redelivery the reader may not take yet: its id is unknown here and
     * another reader may have emitted it before its connection closed (see the class comment).
     */
    private boolean mustWait(DeliveryHandover.Delivery d) {
        return d.epoch == consumer.epoch()
                && d.envelope.isRedeliver()
                && d.seq > redeliveriesTakenUpTo
                && !ledger.knows(deduplicationId(d));
    }

    private void take(DeliveryHandover.Delivery d, ReaderOutput<T> output) throws IOException {
        String id = deduplicate ? deduplicationId(d) : null;
        if (d.envelope.isRedeliver()) {
            redeliveries.inc();
        }
        if (!ledger.take(d.envelope.getDeliveryTag(), id)) {
            duplicates.inc();
            return;
        }
        T record = deserializer.deserialize(queue, d.envelope, d.properties, d.body);
        if (record != null) {
            output.collect(record);
        }
        messages.inc();
    }

    private String deduplicationId(DeliveryHandover.Delivery d) {
        String id = idOf(d.properties);
        if (id == null) {
            // As Flink's RMQSource did with usesCorrelationId: a message without an id cannot be
            // de-duplicated, so the reader fails rather than risk a duplicate.
            throw new IllegalStateException(
                    "RabbitMQ queue "
                            + queue
                            + ": message with delivery tag "
                            + d.envelope.getDeliveryTag()
                            + " has neither a message id nor a correlation id, but the source"
                            + " de-duplicates by id (correlation_id: true); producers must set"
                            + " one on every message");
        }
        return id;
    }

    /** The de-duplication id: the message id if set, else the correlation id, else null. */
    static String idOf(AMQP.BasicProperties properties) {
        return properties.getMessageId() != null
                ? properties.getMessageId()
                : properties.getCorrelationId();
    }

    /** Starts consuming when the reader may; false when not (yet). */
    private boolean connect() {
        if (splits.isEmpty() || !knowsRestoredIds) {
            return false;
        }
        if (System.currentTimeMillis() < nextConnectAtMillis) {
            return false;
        }
        long epoch = nextEpoch++;
        handover.clear();
        try {
            consumer =
                    QueueConsumer.start(
                            connection,
                            "flink-rabbitmq-source-" + context.getIndexOfSubtask(),
                            queue,
                            declareQueue,
                            prefetch,
                            epoch,
                            handover);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw (IllegalStateException) e; // a missing password variable: no retry helps
            }
            LOG.warn(
                    "RabbitMQ source on {} (reader {}): {}; retrying in {} ms",
                    queue,
                    context.getIndexOfSubtask(),
                    e.getMessage(),
                    retryDelayMillis);
            scheduleRetry();
            return false;
        }
        ledger.newChannel(epoch);
        acknowledgements.channelOpened(epoch, consumer::acknowledgeUpTo);
        retryDelayMillis = FIRST_RETRY_MILLIS;
        LOG.info(
                "RabbitMQ source reader {} consumes {} at {} (prefetch {}{})",
                context.getIndexOfSubtask(),
                queue,
                connection.address(),
                prefetch,
                deduplicate ? ", de-duplicating by message or correlation id" : "");
        return true;
    }

    private void scheduleRetry() {
        nextConnectAtMillis = System.currentTimeMillis() + retryDelayMillis;
        retryTimer.schedule(handover::wakeUp, retryDelayMillis, TimeUnit.MILLISECONDS);
        retryDelayMillis = Math.min(MAX_RETRY_MILLIS, retryDelayMillis * 2);
    }

    private void connectionLost(String reason, Exception cause) throws IOException {
        consumer.close();
        consumer = null;
        handover.clear();
        acknowledgements.channelLost();
        reconnects.inc();
        if (deduplicate && ledger.hasUnacknowledged()) {
            // Failed for good: the pending ids are the checkpoint's, not to be forgotten by a
            // reconnect in place if the task survived (a declined checkpoint).
            failure =
                    new IOException(
                            "RabbitMQ source on "
                                    + queue
                                    + " (reader "
                                    + context.getIndexOfSubtask()
                                    + ") lost its connection ("
                                    + reason
                                    + ") while "
                                    + ledger.unacknowledged()
                                    + " deliveries waited for their acknowledgement; the broker hands them"
                                    + " to other consumers, so every reader restarts from the last"
                                    + " checkpoint to keep them exactly-once",
                            cause);
            throw failure;
        }
        LOG.warn(
                "RabbitMQ source on {} (reader {}) lost its connection ({}); {} unacknowledged"
                        + " deliveries come back from the broker; reconnecting",
                queue,
                context.getIndexOfSubtask(),
                reason,
                ledger.unacknowledged());
        ledger.newChannel(-1);
        scheduleRetry();
    }

    @Override
    public List<RabbitMQSplit> snapshotState(long checkpointId) {
        if (competing && consumer != null) {
            try {
                consumer.verifyAlive();
            } catch (IOException | RuntimeException e) {
                try {
                    connectionLost("checkpoint " + checkpointId + " found it closed: " + e, e);
                } catch (IOException lost) {
                    throw new FlinkRuntimeException(lost.getMessage(), lost);
                }
            }
        }
        ledger.snapshot(checkpointId);
        arrivedAtSnapshot.put(checkpointId, handover.offers());
        List<String> ids = ledger.stateIds();
        LOG.debug(
                "RabbitMQ source reader {} on {}: checkpoint {}: {} emitted, {} unacknowledged, {}"
                        + " id(s) in the state",
                context.getIndexOfSubtask(),
                queue,
                checkpointId,
                messages.getCount(),
                ledger.unacknowledged(),
                ids.size());
        if (splits.isEmpty()) {
            return Collections.emptyList();
        }
        // One split carries the reader's ids, however many slots it restored (rescaling).
        RabbitMQSplit first = splits.get(0);
        return Collections.singletonList(new RabbitMQSplit(first.queue(), first.slot(), ids));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        NavigableMap<Long, Long> done = arrivedAtSnapshot.headMap(checkpointId, true);
        if (!done.isEmpty()) {
            long arrived = done.lastEntry().getValue(); // snapshots come in checkpoint order
            done.clear();
            if (arrived > redeliveriesTakenUpTo) {
                redeliveriesTakenUpTo = arrived;
                handover.wakeUp();
            }
        }
        acknowledgements.checkpointCompleted(checkpointId);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return handover.availability();
    }

    @Override
    public void addSplits(List<RabbitMQSplit> newSplits) {
        List<String> restored = new ArrayList<>(ledger.stateIds());
        for (RabbitMQSplit s : newSplits) {
            splits.add(s);
            restored.addAll(s.pendingIds());
        }
        if (deduplicate) {
            ledger.restore(restored, System.currentTimeMillis());
        }
        handover.wakeUp();
    }

    @Override
    public void handleSourceEvents(SourceEvent sourceEvent) {
        if (sourceEvent instanceof DeduplicationEvents.KnownIds) {
            List<String> ids = ((DeduplicationEvents.KnownIds) sourceEvent).ids;
            ledger.restore(ids, System.currentTimeMillis());
            knowsRestoredIds = true;
            LOG.info(
                    "RabbitMQ source reader {} on {}: {} restored id(s) of all readers known",
                    context.getIndexOfSubtask(),
                    queue,
                    ids.size());
            handover.wakeUp();
        }
    }

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() {
        retryTimer.shutdownNow();
        acknowledgements.close();
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
    }
}
