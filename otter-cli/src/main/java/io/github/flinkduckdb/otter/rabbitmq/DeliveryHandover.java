package io.github.flinkduckdb.otter.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Hands deliveries and connection losses from the client's consumer threads to the reader's task
 * thread. {@link #availability()} is the reader's {@code isAvailable()}: it completes when an item
 * arrives or someone wakes the reader (a split, the de-duplication ids, a reconnect delay ran out);
 * nothing polls in a loop.
 */
final class DeliveryHandover {

    private final ConcurrentLinkedQueue<Object> items = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private boolean woken;

    /** From a consumer thread. */
    void offer(Object item) {
        items.add(item);
        synchronized (lock) {
            available.complete(null);
        }
    }

    /** Makes the reader poll again (from any thread). */
    void wakeUp() {
        synchronized (lock) {
            woken = true;
            available.complete(null);
        }
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
    }

    CompletableFuture<Void> availability() {
        synchronized (lock) {
            if (woken || !items.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            if (available.isDone()) {
                available = new CompletableFuture<>();
            }
            return available;
        }
    }

    /** A message as delivered on the channel of {@code epoch}. */
    static final class Delivery {
        final long epoch;
        final Envelope envelope;
        final AMQP.BasicProperties properties;
        final byte[] body;

        Delivery(long epoch, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            this.epoch = epoch;
            this.envelope = envelope;
            this.properties = properties;
            this.body = body;
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
