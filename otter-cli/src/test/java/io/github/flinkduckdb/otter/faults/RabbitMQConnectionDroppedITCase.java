package io.github.flinkduckdb.otter.faults;

import io.github.flinkduckdb.otter.runner.JobFailures;
import io.github.flinkduckdb.otter.testing.Broker;
import io.github.flinkduckdb.otter.testing.FaultRun;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault matrix: the source's RabbitMQ connections dropped twice in the middle of a stream, as an
 * operator's {@code rabbitmqctl close_connection} (or a network fault the broker notices) drops
 * them, while the broker stays up. Only the connections consuming the test's queue are closed:
 * other tests share the machine's broker. A reader that loses its connection with deliveries not
 * yet acknowledged restarts the job from its checkpoint (the broker hands those deliveries to other
 * consumers); every good order ends up exactly once in DuckDB and Parquet, and the dead letters are
 * exactly the expected ones (a repeat only as the publisher's documented limit allows). Needs the
 * machine's RabbitMQ and rabbitmqctl; skipped on Qpid.
 */
class RabbitMQConnectionDroppedITCase {

    @TempDir Path dir;
    private FaultRun fault;

    @AfterEach
    void tearDown() throws Exception {
        if (fault != null) {
            fault.close();
        }
    }

    @Test
    void sourceConnectionsDroppedTwiceMidStreamLoseAndDuplicateNothing() throws Exception {
        Broker.assumeConnectionsClosable();
        fault = new FaultRun(dir, "connection-dropped");
        fault.start(0);
        fault.startPublishing();
        fault.awaitOrders(150, Duration.ofSeconds(60));

        List<String> first = Broker.consumerConnections(fault.queue());
        assertThat(first).as("connections consuming the queue").isNotEmpty();
        Broker.closeConnections(first, "fault test");
        Instant firstDrop = Instant.now();
        fault.midStream();
        Duration firstRecovery = fault.awaitRecovery(firstDrop, fault.orders());

        // Again, once the readers consume again.
        fault.awaitOrders(fault.orders() + 100, Duration.ofSeconds(60));
        List<String> second = Broker.consumerConnections(fault.queue());
        assertThat(second).as("connections consuming the queue again").isNotEmpty();
        Broker.closeConnections(second, "fault test");
        Instant secondDrop = Instant.now();
        fault.midStream();
        Duration secondRecovery = fault.awaitRecovery(secondDrop, fault.orders());
        fault.awaitAll();
        // Each drop restarts every reader from the last checkpoint (their error says so).
        fault.inducedRestarts(2);

        assertThat(fault.failures())
                .as("no failure a retry cannot fix")
                .noneSatisfy(f -> assertThat(f.kind()).isEqualTo(JobFailures.Kind.PERMANENT));
        Duration recovery =
                firstRecovery.compareTo(secondRecovery) > 0 ? firstRecovery : secondRecovery;
        fault.stopAndCheck(
                "RabbitMQ source connections dropped twice",
                "RabbitMQ source (otter run, MiniCluster)",
                recovery,
                "closed "
                        + first.size()
                        + " then "
                        + second.size()
                        + " connection(s); recovered in "
                        + firstRecovery.toMillis()
                        + " and "
                        + secondRecovery.toMillis()
                        + " ms");
    }
}
