package io.github.flinkduckdb.otter.rabbitmq;

import io.github.flinkduckdb.otter.testing.Poll;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The order of a reader's acknowledgements, without a broker: one waits for the broker's answer at
 * a time, checkpoints that complete meanwhile are acknowledged together once it arrives, ids are
 * released only by the answer, a failed answer is a lost connection, and a close waits for the last
 * answer. The channel is a fake whose answers the test gives by hand; the ledger and the handover
 * are the reader's own classes.
 */
class AcknowledgementsTest {

    private final DeliveryLedger ledger = new DeliveryLedger(true);
    private final DeliveryHandover handover = new DeliveryHandover();
    private final FakeChannel channel = new FakeChannel();
    private final List<Lost> lost = new CopyOnWriteArrayList<>();

    /** As the reader with de-duplication and deliveries waiting: a lost connection fails it. */
    private boolean failOnLoss;

    private Acknowledgements acks;

    @BeforeEach
    void setUp() {
        acks = acknowledgements(Acknowledgements.CLOSE_CONFIRM_SECONDS);
    }

    private Acknowledgements acknowledgements(long closeConfirmSeconds) {
        Acknowledgements a =
                new Acknowledgements(
                        ledger, handover, this::connectionLost, "q", 0, closeConfirmSeconds);
        ledger.newChannel(0);
        a.channelOpened(0, channel);
        return a;
    }

    /** What the reader does when its connection is lost, recorded. */
    private void connectionLost(String reason, Exception cause) throws IOException {
        lost.add(new Lost(reason, cause));
        acks.channelLost();
        if (failOnLoss) {
            throw new IOException("failed for good: " + reason, cause);
        }
        ledger.newChannel(-1);
    }

    /**
     * Takes a delivery with tag {@code tag} and id {@code id}, then checkpoint {@code tag}'s
     * barrier.
     */
    private void takeThenSnapshot(long tag, String id) {
        ledger.take(tag, id);
        ledger.snapshot(tag);
    }

    @Test
    void checkpointsCompletingWhileAnAnswerIsPendingAreAcknowledgedTogetherOnceItArrives()
            throws Exception {
        takeThenSnapshot(1, "a");
        takeThenSnapshot(2, "b");
        takeThenSnapshot(3, "c");

        acks.checkpointCompleted(1);
        assertThat(channel.sent).containsExactly(1L);

        acks.checkpointCompleted(2);
        acks.checkpointCompleted(3);
        assertThat(channel.sent)
                .as("nothing sent while 1 waits for its answer")
                .containsExactly(1L);
        assertThat(ledger.knows("a")).as("ids wait for the answer").isTrue();

        channel.answer(0);
        assertThat(ledger.knows("a")).as("the answer is taken on the task thread").isTrue();
        acks.takeConfirmations();
        assertThat(ledger.knows("a")).isFalse();
        assertThat(ledger.knows("b")).isTrue();
        assertThat(ledger.knows("c")).isTrue();
        assertThat(channel.sent).as("one acknowledgement covers 2 and 3").containsExactly(1L, 3L);

        channel.answer(1);
        acks.takeConfirmations();
        assertThat(ledger.knows("b")).isFalse();
        assertThat(ledger.knows("c")).isFalse();
        assertThat(ledger.hasUnacknowledged()).isFalse();
        assertThat(channel.sent).containsExactly(1L, 3L);
        assertThat(lost).isEmpty();
    }

    @Test
    void aCheckpointThatTookNothingNewDoesNotAcknowledgeTheSameTagAgain() throws Exception {
        takeThenSnapshot(1, "a");
        ledger.snapshot(2); // no delivery between the barriers: 2's tag is 1's

        acks.checkpointCompleted(1);
        acks.checkpointCompleted(2);
        channel.answer(0);
        acks.takeConfirmations();

        assertThat(channel.sent).containsExactly(1L);
        assertThat(ledger.hasUnacknowledged()).isFalse();
        acks.checkpointCompleted(3);
        assertThat(channel.sent).containsExactly(1L);
    }

    @Test
    void aCompletingCheckpointTakesTheAnswersFirst() throws Exception {
        takeThenSnapshot(1, "a");
        takeThenSnapshot(2, "b");
        acks.checkpointCompleted(1);
        channel.answer(0);

        acks.checkpointCompleted(2); // the answer to 1 arrived: 2 goes at once, not noted

        assertThat(ledger.knows("a")).isFalse();
        assertThat(channel.sent).containsExactly(1L, 2L);
    }

    @Test
    void aFailedAnswerIsALostConnectionAndReleasesNoIds() throws Exception {
        failOnLoss = true;
        takeThenSnapshot(1, "a");
        takeThenSnapshot(2, "b");
        acks.checkpointCompleted(1);
        acks.checkpointCompleted(2);
        IOException closed = new IOException("channel closed");
        channel.fail(0, closed);

        assertThatThrownBy(acks::takeConfirmations).hasMessageStartingWith("failed for good");

        assertThat(lost)
                .containsExactly(
                        new Lost(
                                "acknowledging checkpoint 1 failed: java.io.IOException: channel"
                                        + " closed",
                                closed));
        assertThat(ledger.knows("a")).isTrue();
        assertThat(ledger.knows("b")).isTrue();
        assertThat(channel.sent)
                .as("2, noted meanwhile, is void with the channel")
                .containsExactly(1L);
        acks.checkpointCompleted(3);
        assertThat(channel.sent).as("no channel: nothing sent").containsExactly(1L);
    }

    @Test
    void anAcknowledgementThatCannotBeSentIsALostConnection() throws Exception {
        takeThenSnapshot(1, "a");
        IOException closed = new IOException("already closed");
        channel.refuseNext = closed;

        acks.checkpointCompleted(1);

        assertThat(lost)
                .containsExactly(
                        new Lost(
                                "acknowledging checkpoint 1 failed: java.io.IOException: already"
                                        + " closed",
                                closed));
        assertThat(channel.sent).isEmpty();
    }

    @Test
    void theAnswerOfAChannelThatIsGoneIsIgnored() throws Exception {
        takeThenSnapshot(1, "a");
        acks.checkpointCompleted(1);
        connectionLost("test", null);
        lost.clear();

        // Reconnected: the same checkpoint id and tag on the new channel.
        FakeChannel second = new FakeChannel();
        ledger.newChannel(1);
        acks.channelOpened(1, second);
        takeThenSnapshot(1, "x");
        acks.checkpointCompleted(1);
        assertThat(second.sent).containsExactly(1L);

        channel.answer(0); // the old channel's answer to checkpoint 1
        acks.takeConfirmations();
        assertThat(ledger.knows("x")).isTrue();

        second.answer(0);
        acks.takeConfirmations();
        assertThat(ledger.knows("x")).isFalse();
        assertThat(lost).isEmpty();
    }

    @Test
    void aCloseWaitsForTheLastAnswerAndAcknowledgesTheSavepointNotedMeanwhile() throws Exception {
        takeThenSnapshot(1, "a");
        takeThenSnapshot(2, "b"); // the stop's savepoint
        acks.checkpointCompleted(1);
        acks.checkpointCompleted(2);
        assertThat(channel.sent).containsExactly(1L);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(acks::close);
        assertThatThrownBy(() -> closing.get(200, TimeUnit.MILLISECONDS))
                .as("the close waits for the answer to 1")
                .isInstanceOf(TimeoutException.class);

        channel.answer(0);
        Poll.until(
                "the savepoint acknowledged",
                Duration.ofSeconds(5),
                () -> channel.sent.size() == 2);
        assertThat(closing).as("the close waits for the answer to 2").isNotDone();
        channel.answer(1);
        closing.get(5, TimeUnit.SECONDS);

        assertThat(channel.sent).containsExactly(1L, 2L);
        assertThat(ledger.hasUnacknowledged()).isFalse();
        assertThat(ledger.stateIds()).isEmpty();
        assertThat(lost).isEmpty();
    }

    @Test
    void aCloseGivesUpWhenTheAnswerDoesNotCome() throws Exception {
        acks = acknowledgements(0);
        takeThenSnapshot(1, "a");
        takeThenSnapshot(2, "b");
        acks.checkpointCompleted(1);
        acks.checkpointCompleted(2);

        acks.close();

        assertThat(channel.sent).containsExactly(1L);
        assertThat(ledger.knows("a")).isTrue();
        assertThat(lost).isEmpty();
    }

    @Test
    void aFailedAnswerAtTheCloseIsALostConnectionAndTheCloseEnds() throws Exception {
        failOnLoss = true;
        takeThenSnapshot(1, "a");
        takeThenSnapshot(2, "b");
        acks.checkpointCompleted(1);
        acks.checkpointCompleted(2);
        IOException closed = new IOException("channel closed");
        channel.fail(0, closed);

        acks.close(); // the reader's failure is logged, not thrown

        assertThat(lost)
                .containsExactly(
                        new Lost(
                                "acknowledging checkpoint 1 failed: java.io.IOException: channel"
                                        + " closed",
                                closed));
        assertThat(channel.sent).containsExactly(1L);
    }

    @Test
    void aCloseWithNoAnswerPendingReturnsAtOnce() throws Exception {
        takeThenSnapshot(1, "a");
        acks.checkpointCompleted(1);
        channel.answer(0);
        acks.takeConfirmations();

        acks.close();

        assertThat(channel.sent).containsExactly(1L);
        // After the close the reader has no channel: nothing goes to the one it closes.
        takeThenSnapshot(2, "b");
        acks.checkpointCompleted(2);
        assertThat(channel.sent).containsExactly(1L);
    }

    /** A channel whose acknowledgements the test answers by hand, in the order they were sent. */
    private static final class FakeChannel implements Acknowledgements.Acknowledger {
        final List<Long> sent = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> answers = new CopyOnWriteArrayList<>();
        IOException refuseNext;

        @Override
        public CompletableFuture<?> acknowledgeUpTo(long deliveryTag) throws IOException {
            if (refuseNext != null) {
                IOException e = refuseNext;
                refuseNext = null;
                throw e;
            }
            CompletableFuture<Void> answer = new CompletableFuture<>();
            sent.add(deliveryTag);
            answers.add(answer);
            return answer;
        }

        /** The broker processed the {@code n}-th acknowledgement. */
        void answer(int n) {
            answers.get(n).complete(null);
        }

        void fail(int n, Throwable error) {
            answers.get(n).completeExceptionally(error);
        }
    }

    /** A call of the reader's connection loss. */
    private record Lost(String reason, Exception cause) {}
}
