package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.Internal;

/**
 * The enumerator's checkpoint: the next consumer slot number. The queue is not partitioned, so this
 * is all it needs; de-duplication state lives in the readers' splits.
 */
@Internal
public final class RabbitMQEnumeratorState {

    private final int nextSlot;

    public RabbitMQEnumeratorState(int nextSlot) {
        this.nextSlot = nextSlot;
    }

    public int nextSlot() {
        return nextSlot;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RabbitMQEnumeratorState
                && ((RabbitMQEnumeratorState) o).nextSlot == nextSlot;
    }

    @Override
    public int hashCode() {
        return nextSlot;
    }

    @Override
    public String toString() {
        return "RabbitMQEnumeratorState{nextSlot=" + nextSlot + "}";
    }
}
