package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

import java.util.List;
import java.util.Objects;

/**
 * A consumer slot on the source queue: every reader gets one, and all of them consume the same
 * queue as competing consumers. As reader state it carries the ids that reader has not yet had
 * acknowledged (with de-duplication on), so a restore can drop their redeliveries.
 */
@Internal
public final class RabbitMQSplit implements SourceSplit {

    private final String queue;
    private final int slot;
    private final List<String> pendingIds;

    public RabbitMQSplit(String queue, int slot, List<String> pendingIds) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.slot = slot;
        this.pendingIds = List.copyOf(pendingIds);
    }

    @Override
    public String splitId() {
        return queue + "#" + slot;
    }

    public String queue() {
        return queue;
    }

    public int slot() {
        return slot;
    }

    /** Ids of messages emitted or dropped as duplicates whose acknowledgement is not confirmed. */
    public List<String> pendingIds() {
        return pendingIds;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RabbitMQSplit)) {
            return false;
        }
        RabbitMQSplit other = (RabbitMQSplit) o;
        return slot == other.slot
                && queue.equals(other.queue)
                && pendingIds.equals(other.pendingIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queue, slot, pendingIds);
    }

    @Override
    public String toString() {
        return "RabbitMQSplit{" + splitId() + ", " + pendingIds.size() + " pending id(s)}";
    }
}
