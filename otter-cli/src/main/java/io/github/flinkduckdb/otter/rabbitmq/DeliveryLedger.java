package io.github.flinkduckdb.otter.rabbitmq;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * One reader's bookkeeping between checkpoints: which delivery tags a completed checkpoint
 * acknowledges, and (with de-duplication) which message ids are not yet safely acknowledged.
 *
 * <p>Deliveries of one channel arrive in tag order and are taken in that order, so all tags up to
 * the highest tag taken before a checkpoint's barrier belong to that checkpoint or an earlier one:
 * one {@code basicAck(tag, multiple=true)} acknowledges them. Tags are valid only on the channel
 * that delivered them; each channel has an epoch, and tags of another epoch are never acknowledged.
 *
 * <p>Ids stay pending from delivery (emitted, or dropped as a duplicate) until the broker has
 * confirmed the acknowledgement of their checkpoint; the restored set (the union of every reader's
 * pending ids at the restored checkpoint) is kept for at least {@link #RETAIN_CHECKPOINTS}
 * completed checkpoints and {@link #RETAIN_MILLIS}: messages held by a dead consumer's connection
 * come back only when the broker notices it died (heartbeat timeout), which may be after the first
 * checkpoints of the new run.
 *
 * <p>Not thread-safe: the reader calls it from the task's mailbox thread only.
 */
final class DeliveryLedger {

    /** Completed checkpoints after a restore before the restored ids may be forgotten. */
    static final int RETAIN_CHECKPOINTS = 10;

    /**
     * Time after a restore before the restored ids may be forgotten: well above the broker's
     * detection of a dead connection ({@link RabbitMQConnectionConfig#HEARTBEAT_SECONDS}).
     */
    static final long RETAIN_MILLIS = 120_000;

    private final boolean deduplicate;
    private final NavigableMap<Long, Interval> byCheckpoint = new TreeMap<>();
    private final Map<String, Integer> pendingIds = new HashMap<>();
    private Interval current = new Interval(-1);
    private long epoch = -1;

    private Set<String> restored = new HashSet<>();
    private int checkpointsSinceRestore;
    private long restoredAtMillis;

    DeliveryLedger(boolean deduplicate) {
        this.deduplicate = deduplicate;
    }

    /** Ids restored (this reader's, later the union of all readers'); kept for a while. */
    void restore(Collection<String> ids, long nowMillis) {
        restored = new HashSet<>(ids);
        checkpointsSinceRestore = 0;
        restoredAtMillis = nowMillis;
    }

    /**
     * A new channel: its deliveries start a new tag sequence. Tags recorded for another channel are
     * void (the broker redelivers those messages), and so are their ids.
     */
    void newChannel(long channelEpoch) {
        epoch = channelEpoch;
        byCheckpoint.clear();
        pendingIds.clear();
        current = new Interval(channelEpoch);
    }

    /**
     * Records a delivery taken from the current channel.
     *
     * @param id the de-duplication id (required with de-duplication, ignored without)
     * @return true to emit it, false when it is a duplicate (dropped; acknowledged with the
     *     checkpoint like the others)
     */
    boolean take(long deliveryTag, String id) {
        current.maxTag = Math.max(current.maxTag, deliveryTag);
        current.count++;
        if (!deduplicate) {
            return true;
        }
        current.ids.add(id);
        // Pending before this delivery when its count is now above one.
        boolean pending = pendingIds.merge(id, 1, Integer::sum) > 1;
        return !pending && !restored.contains(id);
    }

    /** Whether {@code id} would be dropped as a duplicate now (restored or pending). */
    boolean knows(String id) {
        return restored.contains(id) || pendingIds.containsKey(id);
    }

    /** Closes the interval at a checkpoint's barrier: what was taken belongs to it. */
    void snapshot(long checkpointId) {
        if (current.count > 0) {
            byCheckpoint.put(checkpointId, current);
        }
        current = new Interval(epoch);
    }

    /** The ids a snapshot keeps: pending ones and the restored ones still retained. */
    List<String> stateIds() {
        if (restored.isEmpty()) {
            return new ArrayList<>(pendingIds.keySet());
        }
        Set<String> out = new HashSet<>(restored);
        out.addAll(pendingIds.keySet());
        return new ArrayList<>(out);
    }

    /**
     * The highest tag of the current channel that checkpoint {@code checkpointId} (and the earlier
     * ones) acknowledges, or -1 when there is none.
     */
    long ackTag(long checkpointId) {
        long tag = -1;
        for (Interval i : byCheckpoint.headMap(checkpointId, true).values()) {
            if (i.epoch == epoch) {
                tag = Math.max(tag, i.maxTag);
            }
        }
        return tag;
    }

    /**
     * The broker confirmed the acknowledgement up to {@link #ackTag(long)}: those deliveries and
     * their ids are done. Also counts the completed checkpoint for the restored ids' retention.
     */
    void acknowledged(long checkpointId, long nowMillis) {
        Iterator<Interval> it = byCheckpoint.headMap(checkpointId, true).values().iterator();
        while (it.hasNext()) {
            for (String id : it.next().ids) {
                pendingIds.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
            }
            it.remove();
        }
        checkpointsSinceRestore++;
        if (!restored.isEmpty()
                && checkpointsSinceRestore >= RETAIN_CHECKPOINTS
                && nowMillis - restoredAtMillis >= RETAIN_MILLIS) {
            restored = new HashSet<>();
        }
    }

    /** Whether deliveries of the current channel wait for an acknowledgement. */
    boolean hasUnacknowledged() {
        return current.count > 0 || !byCheckpoint.isEmpty();
    }

    /** Deliveries taken and not yet acknowledged (a metric). */
    long unacknowledged() {
        long n = current.count;
        for (Interval i : byCheckpoint.values()) {
            n += i.count;
        }
        return n;
    }

    /** Restored ids still retained (for tests and logs). */
    int retainedRestoredIds() {
        return restored.size();
    }

    /** What one checkpoint interval took from one channel. */
    private static final class Interval {
        final long epoch;
        final List<String> ids = new ArrayList<>();
        long maxTag = -1;
        int count;

        Interval(long epoch) {
            this.epoch = epoch;
        }
    }
}
