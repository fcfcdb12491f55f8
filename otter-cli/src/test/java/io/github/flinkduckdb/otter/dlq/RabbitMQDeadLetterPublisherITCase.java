package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterStage;
import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;
import io.github.flinkduckdb.otter.testing.Rabbit;
import io.github.flinkduckdb.testing.brokers.AmqpBroker;
import io.github.flinkduckdb.testing.brokers.LocalPorts;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The RabbitMQ DLQ publisher in a test harness against the machine's RabbitMQ: letters go out when
 * their checkpoint completes; letters restored from a checkpoint wait for the next completed one,
 * so restarts that come before it publish nothing twice; a restart while the broker is down starts
 * and fails only the publish.
 */
class RabbitMQDeadLetterPublisherITCase {

    private Rabbit rabbit;
    private String dlq;
    private RabbitMQSourceConfig config;

    @BeforeEach
    void setUp() throws Exception {
        rabbit = new Rabbit();
        String queue = rabbit.queue("otter-dlq-publisher");
        dlq = queue + ".dlq";
        rabbit.forget(dlq);
        config = config(Rabbit.broker().port(), queue, dlq);
    }

    @AfterEach
    void tearDown() throws Exception {
        rabbit.close();
    }

    @Test
    void publishesWhenTheCheckpointCompletes() throws Exception {
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(config)) {
            h.open();
            h.processElement(letter("a"), 0);
            h.processElement(letter("b"), 0);
            h.prepareSnapshotPreBarrier(1);
            h.snapshot(1, 1);
            h.processElement(letter("c"), 0);
            assertThat(rabbit.count(dlq)).as("declared at start, nothing published").isZero();
            h.notifyOfCompletedCheckpoint(1);
            assertThat(ids()).containsExactly("a", "b");
        }
    }

    @Test
    void restoredLettersWaitForTheNextCompletedCheckpoint() throws Exception {
        OperatorSubtaskState checkpoint1;
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(config)) {
            h.open();
            h.processElement(letter("a"), 0);
            h.prepareSnapshotPreBarrier(1);
            checkpoint1 = h.snapshot(1, 1);
            // The job fails before checkpoint 1's completion reaches the publisher.
        }
        // Two restarts from checkpoint 1 that fail before a checkpoint completes...
        for (int attempt = 0; attempt < 2; attempt++) {
            try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(config)) {
                h.initializeState(checkpoint1);
                h.open();
            }
        }
        assertThat(rabbit.count(dlq)).as("nothing published by restarts alone").isZero();
        // ... and one that runs to its first checkpoint.
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(config)) {
            h.initializeState(checkpoint1);
            h.open();
            h.processElement(letter("b"), 0);
            h.prepareSnapshotPreBarrier(2);
            h.snapshot(2, 2);
            h.notifyOfCompletedCheckpoint(2);
        }
        assertThat(ids()).containsExactly("a", "b");
    }

    /**
     * The documented limit: the checkpoint holds the letters its completion publishes, so restoring
     * it after that publish (a failure before the next checkpoint, or a resume from the savepoint
     * of a stop) publishes them again, with the same message id.
     */
    @Test
    void restoringACheckpointWhoseLettersWentOutPublishesThemAgain() throws Exception {
        OperatorSubtaskState checkpoint1;
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(config)) {
            h.open();
            h.processElement(letter("a"), 0);
            h.prepareSnapshotPreBarrier(1);
            checkpoint1 = h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
        }
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(config)) {
            h.initializeState(checkpoint1);
            h.open();
            h.prepareSnapshotPreBarrier(2);
            h.snapshot(2, 2);
            h.notifyOfCompletedCheckpoint(2);
        }
        assertThat(ids()).containsExactly("a", "a");
    }

    @Test
    void aRestartWhileTheBrokerIsDownFailsOnlyThePublish() throws Exception {
        OperatorSubtaskState checkpoint1;
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(config)) {
            h.open();
            h.processElement(letter("a"), 0);
            h.prepareSnapshotPreBarrier(1);
            checkpoint1 = h.snapshot(1, 1);
        }
        RabbitMQSourceConfig down = config(LocalPorts.unused(), config.queue(), dlq);
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(down)) {
            h.initializeState(checkpoint1);
            h.open();
            h.prepareSnapshotPreBarrier(2);
            h.snapshot(2, 2);
            assertThatThrownBy(() -> h.notifyOfCompletedCheckpoint(2))
                    .hasMessageContaining(
                            "Publishing 1 dead letter(s) to RabbitMQ queue " + dlq + " failed");
        }
        // A first start does not wait: a broker it cannot reach is a configuration error.
        try (OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> h = harness(down)) {
            assertThatThrownBy(h::open).hasMessageContaining("Cannot connect to RabbitMQ");
        }
        assertThat(rabbit.count(dlq)).isZero();
    }

    private static RabbitMQSourceConfig config(int port, String queue, String dlq)
            throws Exception {
        AmqpBroker broker = Rabbit.broker();
        return new RabbitMQSourceConfig(
                broker.host(),
                port,
                "/",
                broker.username(),
                null,
                "OTTER_TEST_RABBITMQ_PASSWORD",
                queue,
                dlq,
                100,
                50,
                50,
                true,
                true);
    }

    private static OneInputStreamOperatorTestHarness<OtterDeadLetter, Void> harness(
            RabbitMQSourceConfig config) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new RabbitMQDeadLetterPublisher(config));
    }

    private static OtterDeadLetter letter(String id) {
        OtterDeadLetter d = new OtterDeadLetter();
        d.setPayload(("{\"id\": \"" + id + "\"").getBytes(StandardCharsets.UTF_8));
        d.setMessageId(id);
        d.setSource("orders");
        d.setStage(OtterStage.PARSE);
        d.setError("malformed JSON");
        return d;
    }

    /** The ids of the letters in the DLQ, in order (taking them). */
    private List<String> ids() throws Exception {
        return rabbit.drain(dlq).stream()
                .map(r -> Rabbit.header(r, DeadLetterHeaders.MESSAGE_ID))
                .toList();
    }
}
