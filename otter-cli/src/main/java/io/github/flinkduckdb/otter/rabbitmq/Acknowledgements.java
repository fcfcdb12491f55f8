package io.github.flinkduckdb.otter.rabbitmq;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A reader's acknowledgements of its completed checkpoints, and the broker's answers to them.
 *
 * <p>A checkpoint's de-duplication ids stay pending until the broker has answered its
 * acknowledgement ({@link DeliveryLedger#acknowledged}): an acknowledgement the broker never
 * processed (the connection dropped first) means the messages come again, and only their ids drop
 * them then. The task thread does not wait for the answer; it arrives on the connection's thread
 * through the handover ({@link DeliveryHandover#confirmed}) and is taken on the task thread.
 *
 * <p>One acknowledgement waits for its answer at a time. A second one sent meanwhile could name the
 * same delivery tag (no delivery taken between the two checkpoints: the first's tags are still in
 * the ledger), and the broker closes a channel that acknowledges a tag twice. So checkpoints that
 * complete meanwhile are only noted, and the newest of them is acknowledged once the answer
 * arrives: one acknowledgement up to its tag covers them all.
 *
 * <p>Acknowledgements go on the reader's current channel only ({@link #channelOpened}); answers
 * about a channel that is gone are void, as are its tags and ids ({@link #channelLost}). A failed
 * acknowledgement is a lost connection, handled by the reader ({@link ConnectionLoss}).
 *
 * <p>Not thread-safe: the reader calls it from the task's mailbox thread only.
 */
final class Acknowledgements {

    /** The lines it logs are the reader's: they keep its logger. */
    private static final Logger LOG = LoggerFactory.getLogger(RabbitMQSourceReader.class);

    /**
     * How long a close waits for the broker's answers. A stop's savepoint noted while an earlier
     * acknowledgement waited for its answer is acknowledged only once that answer arrived: a close
     * that did not wait would leave its messages to come again to the run that resumes from the
     * savepoint.
     */
    static final long CLOSE_CONFIRM_SECONDS = 10;

    private final DeliveryLedger ledger;
    private final DeliveryHandover handover;
    private final ConnectionLoss connectionLoss;
    private final String queue;
    private final int reader;
    private final long closeConfirmSeconds;

    /** Sends acknowledgements on the reader's current channel; null while it has none. */
    private Acknowledger channel;

    /** The epoch of {@link #channel}. */
    private long epoch = -1;

    /**
     * The checkpoint whose acknowledgement the broker has yet to confirm, or -1. One at a time:
     * checkpoints that complete meanwhile are acknowledged together once it is confirmed.
     */
    private long confirming = -1;

    /** The newest checkpoint that completed while {@link #confirming}, or -1. */
    private long completedWhileConfirming = -1;

    /** The broker's answer to the newest acknowledgement (null before the first). */
    private CompletableFuture<?> confirmation;

    /**
     * @param ledger the reader's: which tag a checkpoint acknowledges, and the ids released when
     *     the broker answered
     * @param handover the reader's: brings the answers from the connection's thread
     * @param connectionLoss the reader's handling of a lost connection, which must call {@link
     *     #channelLost()}
     * @param queue the queue, for the log
     * @param reader the reader's subtask index, for the log
     */
    Acknowledgements(
            DeliveryLedger ledger,
            DeliveryHandover handover,
            ConnectionLoss connectionLoss,
            String queue,
            int reader) {
        this(ledger, handover, connectionLoss, queue, reader, CLOSE_CONFIRM_SECONDS);
    }

    /** With another wait for the last answer at a close (tests). */
    Acknowledgements(
            DeliveryLedger ledger,
            DeliveryHandover handover,
            ConnectionLoss connectionLoss,
            String queue,
            int reader,
            long closeConfirmSeconds) {
        this.ledger = ledger;
        this.handover = handover;
        this.connectionLoss = connectionLoss;
        this.queue = queue;
        this.reader = reader;
        this.closeConfirmSeconds = closeConfirmSeconds;
    }

    /**
     * The reader consumes from a new channel: acknowledgements go there from now on, and answers
     * sent on another one are void.
     */
    void channelOpened(long channelEpoch, Acknowledger acknowledger) {
        this.epoch = channelEpoch;
        this.channel = acknowledger;
    }

    /**
     * The reader's channel is gone: its tags are void, so nothing of it is acknowledged any more,
     * neither the acknowledgement waiting for its answer nor the checkpoints noted meanwhile.
     */
    void channelLost() {
        channel = null;
        confirming = -1;
        completedWhileConfirming = -1;
    }

    /**
     * Checkpoint {@code checkpointId} completed: acknowledges what it and the earlier ones took,
     * now or (while an earlier acknowledgement waits for its answer) once that answer arrived.
     */
    void checkpointCompleted(long checkpointId) throws IOException {
        takeConfirmations();
        if (confirming >= 0) {
            completedWhileConfirming = Math.max(completedWhileConfirming, checkpointId);
            return;
        }
        acknowledge(checkpointId);
    }

    /**
     * Takes the broker's answers that arrived (on the task thread): releases the ids of the
     * checkpoint answered, acknowledges the checkpoints that completed meanwhile, or hands a failed
     * acknowledgement to the reader's connection loss.
     */
    void takeConfirmations() throws IOException {
        for (DeliveryHandover.AckConfirmed c = handover.pollConfirmation();
                c != null;
                c = handover.pollConfirmation()) {
            confirmed(c);
        }
    }

    /**
     * Acknowledges what checkpoint {@code checkpointId} and the earlier ones took; their ids stay
     * pending until the broker confirms it ({@link #confirmed}), the task thread going on
     * meanwhile.
     */
    private void acknowledge(long checkpointId) throws IOException {
        long tag = ledger.ackTag(checkpointId);
        if (tag < 0 || channel == null) {
            ledger.acknowledged(checkpointId, System.currentTimeMillis());
            return;
        }
        long sentOn = epoch;
        try {
            confirmation = channel.acknowledgeUpTo(tag);
            confirmation.whenComplete(
                    (reply, error) ->
                            handover.confirmed(
                                    new DeliveryHandover.AckConfirmed(
                                            sentOn, checkpointId, error)));
            confirming = checkpointId;
        } catch (IOException | RuntimeException e) {
            connectionLoss.lost("acknowledging checkpoint " + checkpointId + " failed: " + e, e);
        }
    }

    /** The broker answered the acknowledgement of a checkpoint (on the task thread). */
    private void confirmed(DeliveryHandover.AckConfirmed c) throws IOException {
        if (channel == null || c.epoch != epoch || c.checkpointId != confirming) {
            return; // of a channel that is gone: its tags and ids were dropped with it
        }
        confirming = -1;
        if (c.error != null) {
            connectionLoss.lost(
                    "acknowledging checkpoint " + c.checkpointId + " failed: " + c.error,
                    c.error instanceof Exception ? (Exception) c.error : new IOException(c.error));
            return;
        }
        ledger.acknowledged(c.checkpointId, System.currentTimeMillis());
        if (completedWhileConfirming > c.checkpointId) {
            long next = completedWhileConfirming;
            completedWhileConfirming = -1;
            acknowledge(next);
        }
    }

    /**
     * The reader closes. A stop's savepoint acknowledged its messages just before the close (or was
     * noted while an earlier acknowledgement waited for its answer): the broker confirms them
     * before the connection closes, as in a run that goes on. Waits on the answer itself, the
     * reader polling the handover no more, then forgets the channel the reader is about to close.
     */
    void close() {
        confirmBeforeClose();
        channel = null;
    }

    private void confirmBeforeClose() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(closeConfirmSeconds);
        while (channel != null && confirming >= 0) {
            Throwable error = null;
            try {
                confirmation.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                error = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (TimeoutException e) {
                LOG.warn(
                        "RabbitMQ source on {} (reader {}): the broker did not confirm the"
                                + " acknowledgement of checkpoint {} within {} s of the close; its"
                                + " messages may come again",
                        queue,
                        reader,
                        confirming,
                        closeConfirmSeconds);
                return;
            }
            try {
                confirmed(new DeliveryHandover.AckConfirmed(epoch, confirming, error));
            } catch (IOException | RuntimeException e) {
                LOG.warn("RabbitMQ source on {} (reader {}): {}", queue, reader, e.getMessage());
                return;
            }
        }
    }

    /** Sends an acknowledgement on a channel: {@link QueueConsumer#acknowledgeUpTo}. */
    @FunctionalInterface
    interface Acknowledger {
        /** Acknowledges every delivery up to {@code deliveryTag}; completes with the answer. */
        CompletableFuture<?> acknowledgeUpTo(long deliveryTag) throws IOException;
    }

    /** The reader's handling of a lost connection (a failed acknowledgement is one). */
    @FunctionalInterface
    interface ConnectionLoss {
        /**
         * Closes the channel and calls {@link #channelLost()}; throws when the reader fails for
         * good (the deliveries waiting for their acknowledgement are another consumer's now).
         */
        void lost(String reason, Exception cause) throws IOException;
    }
}
