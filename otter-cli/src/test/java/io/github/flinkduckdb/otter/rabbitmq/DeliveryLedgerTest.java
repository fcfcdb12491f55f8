package io.github.flinkduckdb.otter.rabbitmq;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which tags a completed checkpoint acknowledges, and which ids stay pending (de-duplication). */
class DeliveryLedgerTest {

    @Test
    void acknowledgesUpToTheLastTagTakenBeforeTheCheckpointAndNoFurther() {
        DeliveryLedger l = new DeliveryLedger(false);
        l.newChannel(0);
        l.take(1, null);
        l.take(2, null);
        l.snapshot(10);
        l.take(3, null);
        l.snapshot(11);
        l.take(4, null); // after checkpoint 11's barrier

        assertThat(l.ackTag(9)).isEqualTo(-1);
        assertThat(l.ackTag(10)).isEqualTo(2);
        l.acknowledged(10, 0);
        assertThat(l.unacknowledged()).isEqualTo(2);
        // Checkpoint 12 completes before 11 was notified: it covers 11 too, not tag 4.
        l.snapshot(12);
        assertThat(l.ackTag(11)).isEqualTo(3);
        assertThat(l.ackTag(12)).isEqualTo(4);
        l.acknowledged(12, 0);
        assertThat(l.hasUnacknowledged()).isFalse();
        assertThat(l.ackTag(12)).isEqualTo(-1);
    }

    @Test
    void tagsOfAnotherChannelAreNeverAcknowledged() {
        DeliveryLedger l = new DeliveryLedger(false);
        l.newChannel(0);
        l.take(5, null);
        l.snapshot(1);
        l.newChannel(1); // reconnected: tags start again, the old ones are void
        assertThat(l.ackTag(1)).isEqualTo(-1);
        assertThat(l.hasUnacknowledged()).isFalse();
        l.take(1, null);
        l.snapshot(2);
        assertThat(l.ackTag(2)).isEqualTo(1);
    }

    @Test
    void snapshotIsACopyTakenAtTheBarrier() {
        DeliveryLedger l = new DeliveryLedger(true);
        l.newChannel(0);
        l.take(1, "a");
        l.snapshot(1);
        List<String> atCheckpoint1 = l.stateIds();
        l.take(2, "b");
        assertThat(atCheckpoint1).containsExactly("a");
        assertThat(l.stateIds()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void idsStayPendingUntilTheirCheckpointIsAcknowledged() {
        DeliveryLedger l = new DeliveryLedger(true);
        l.newChannel(0);
        assertThat(l.take(1, "a")).isTrue();
        assertThat(l.take(2, "a")).as("same id again: a duplicate").isFalse();
        assertThat(l.take(3, "b")).isTrue();
        l.snapshot(1);
        assertThat(l.stateIds()).containsExactlyInAnyOrder("a", "b");
        assertThat(l.take(4, "c")).isTrue();
        l.snapshot(2);
        l.acknowledged(1, 0);
        assertThat(l.stateIds()).containsExactly("c");
        assertThat(l.take(5, "a")).as("acknowledged ids are forgotten").isTrue();
    }

    @Test
    void restoredIdsAreDroppedAndKeptForTheRetentionWindow() {
        DeliveryLedger l = new DeliveryLedger(true);
        l.restore(List.of("old-1", "old-2"), 1_000);
        l.newChannel(0);
        assertThat(l.take(1, "old-1")).isFalse();
        assertThat(l.take(2, "new-1")).isTrue();
        l.snapshot(1);
        assertThat(l.stateIds()).containsExactlyInAnyOrder("old-1", "old-2", "new-1");

        long t = 1_000;
        for (long cp = 1; cp <= DeliveryLedger.RETAIN_CHECKPOINTS; cp++) {
            l.snapshot(cp);
            l.acknowledged(cp, t);
        }
        assertThat(l.retainedRestoredIds()).as("enough checkpoints, too early").isEqualTo(2);
        t += DeliveryLedger.RETAIN_MILLIS;
        l.snapshot(100);
        l.acknowledged(100, t);
        assertThat(l.retainedRestoredIds()).isZero();
        assertThat(l.take(3, "old-2")).isTrue();
    }

    @Test
    void duplicatesDroppedButNotYetAcknowledgedStayInTheState() {
        DeliveryLedger l = new DeliveryLedger(true);
        l.newChannel(0);
        l.take(1, "a");
        l.snapshot(1);
        // A second copy of "a" arrives in checkpoint 2's interval and is dropped.
        assertThat(l.take(2, "a")).isFalse();
        l.snapshot(2);
        l.acknowledged(1, 0);
        // Checkpoint 2 is not acknowledged: its dropped copy would come back after a failure.
        assertThat(l.stateIds()).containsExactly("a");
        assertThat(l.take(3, "a")).isFalse();
        l.snapshot(3);
        l.acknowledged(3, 0);
        assertThat(l.stateIds()).isEmpty();
    }
}
