package io.github.flinkduckdb.otter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Hands deliveries and connection losses from the client's consumer threads to the reader's task
 * thread. {@link #availability()} is the reader's {@code isAvailable()}: it completes when an item
 * arrives or someone wakes the reader (a split, the de-duplication ids, a reconnect delay ran out);
 * nothing polls in a loop. The reader may {@link #hold} the queue at its head (a delivery it may
 * not take yet): it then waits for the next item or wake-up instead of polling the same head.
 *
 * <p>Every item counts as an offer, and a delivery carries its offer's number: a checkpoint's
 * snapshot records {@link #offers()}, which tells afterwards which deliveries had arrived before
 * it.
 */
final class DeliveryHandover {

    private final ConcurrentLinkedQueue<Object> items = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<AckConfirmed> confirmations = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private boolean woken;
    private boolean held;
    private long offers;

    /** A delivery of the channel of {@code epoch}, from its consumer thread. */
    void offerDelivery(
            long epoch, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        synchronized (lock) {
            offers++;
            added(new Delivery(offers, epoch, envelope, properties, body));
        }
    }

    /** From a consumer thread. */
    void offer(Object item) {
        synchronized (lock) {
            offers++;
            added(item);
        }
    }

    private void added(Object item) {
        items.add(item);
        held = false;
        available.complete(null);
    }

    /** Items offered so far: a delivery offered later has a higher number. */
    long offers() {
        synchronized (lock) {
            return offers;
        }
    }

    /**
     * The broker's answer to an acknowledgement (from the connection's thread). Apart from the
     * deliveries, so that a delivery the reader holds at the head does not hold it back too.
     */
    void confirmed(AckConfirmed confirmation) {
        confirmations.add(confirmation);
        wakeUp();
    }

    /** The next acknowledgement the broker answered, or null. */
    AckConfirmed pollConfirmation() {
        return confirmations.poll();
    }

    /** Makes the reader poll again (from any thread). */
    void wakeUp() {
        synchronized (lock) {
            woken = true;
            held = false;
            available.complete(null);
        }
    }

    /**
     * The reader looks at the queue now: clears a wake-up (as {@link #poll()} does) and returns the
     * items offered so far, for {@link #hold(long)}.
     */
    long look() {
        synchronized (lock) {
            woken = false;
            return offers;
        }
    }

    /**
     * The reader cannot take the head now: it is not available again until a wake-up or an item
     * offered since {@code offersSeen} ({@link #look()} before the reader looked at the head).
     */
    void hold(long offersSeen) {
        synchronized (lock) {
            held = offers == offersSeen && !woken;
        }
    }

    /** The next item without taking it, or null. */
    Object peek() {
        return items.peek();
    }

    /** The next item, or null. Clears a wake-up: the caller is polling now. */
    Object poll() {
        synchronized (lock) {
            woken = false;
        }
        return items.poll();
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    /** Drops what is queued (deliveries of a channel that is gone). */
    void clear() {
        items.clear();
        confirmations.clear();
    }

    CompletableFuture<Void> availability() {
        synchronized (lock) {
            if (woken || (!held && !items.isEmpty())) {
                return CompletableFuture.completedFuture(null);
            }
            if (available.isDone()) {
                available = new CompletableFuture<>();
            }
            return available;
        }
    }

    /** A message as delivered on the channel of {@code epoch}, the {@code seq}-th offer. */
    static final class Delivery {
        final long seq;
        final long epoch;
        final Envelope envelope;
        final AMQP.BasicProperties properties;
        final byte[] body;

        Delivery(
                long seq,
                long epoch,
                Envelope envelope,
                AMQP.BasicProperties properties,
                byte[] body) {
            this.seq = seq;
            this.epoch = epoch;
            this.envelope = envelope;
            this.properties = properties;
            this.body = body;
        }
    }

    /**
     * The broker processed (or, with {@code error}, could not be shown to have processed) the
     * acknowledgement of {@code checkpointId} sent on the channel of {@code epoch}.
     */
    static final class AckConfirmed {
        final long epoch;
        final long checkpointId;
        final Throwable error;

        AckConfirmed(long epoch, long checkpointId, Throwable error) {
            this.epoch = epoch;
            this.checkpointId = checkpointId;
            this.error = error;
        }
    }

    /** The channel of {@code epoch} closed or its consumer was cancelled. */
    static final class ConnectionLost {
        final long epoch;
        final String reason;

        ConnectionLost(long epoch, String reason) {
            this.epoch = epoch;
            this.reason = reason;
        }
    }
}
