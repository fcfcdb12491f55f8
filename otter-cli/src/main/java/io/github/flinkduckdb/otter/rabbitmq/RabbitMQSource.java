package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Reads one RabbitMQ queue with one competing consumer per parallel reader, so the source's
 * parallelism scales consumption. Build it with {@link #builder()}.
 *
 * <ul>
 *   <li><b>Acknowledgement</b>: a message is acknowledged when the checkpoint that covers it
 *       completes, on the channel that delivered it ({@code multiple=true} up to the checkpoint's
 *       last delivery tag). Without checkpointing nothing is ever acknowledged.
 *   <li><b>Prefetch</b>: the broker stops delivering to a reader holding {@code prefetch}
 *       unacknowledged messages, so prefetch must exceed the messages one reader takes per
 *       checkpoint interval, or consumption stalls until the checkpoint completes (default {@value
 *       RabbitMQSourceBuilder#DEFAULT_PREFETCH}).
 *   <li><b>At-least-once</b> (default): after a failure, or a lost connection, unacknowledged
 *       messages are delivered again. A reader reconnects in place with a growing delay (0.5 s to
 *       30 s).
 *   <li><b>Exactly-once</b> with {@code setDeduplication(true)}: every message carries a unique
 *       message id or correlation id (the message id wins); ids not yet acknowledged are part of
 *       each reader's checkpoint, and at start every reader learns every other reader's ids before
 *       it consumes, so a redelivery is dropped whichever reader gets it. A message with neither id
 *       fails the reader. A reader that loses its connection while messages wait for their
 *       acknowledgement fails (Flink restarts from the checkpoint); use {@code
 *       jobmanager.execution.failover-strategy: full}, or the enumerator forces the job to restart
 *       when only some readers restarted.
 *   <li><b>Password</b>: with {@code setPasswordEnv} the job graph carries only the variable's
 *       name; readers read it where they connect.
 * </ul>
 *
 * @param <T> the record type
 */
@PublicEvolving
public final class RabbitMQSource<T>
        implements Source<T, RabbitMQSplit, RabbitMQEnumeratorState>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final RabbitMQConnectionConfig connection;
    private final String queue;
    private final boolean declareQueue;
    private final int prefetch;
    private final boolean deduplicate;
    private final RabbitMQDeserializer<T> deserializer;

    RabbitMQSource(
            RabbitMQConnectionConfig connection,
            String queue,
            boolean declareQueue,
            int prefetch,
            boolean deduplicate,
            RabbitMQDeserializer<T> deserializer) {
        this.connection = connection;
        this.queue = queue;
        this.declareQueue = declareQueue;
        this.prefetch = prefetch;
        this.deduplicate = deduplicate;
        this.deserializer = deserializer;
    }

    /** A builder; queue, connection and deserializer are required. */
    public static <T> RabbitMQSourceBuilder<T> builder() {
        return new RabbitMQSourceBuilder<>();
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Internal
    @Override
    public SourceReader<T, RabbitMQSplit> createReader(SourceReaderContext readerContext) {
        return new RabbitMQSourceReader<>(
                readerContext,
                connection,
                queue,
                declareQueue,
                prefetch,
                deduplicate,
                deserializer);
    }

    @Internal
    @Override
    public SplitEnumerator<RabbitMQSplit, RabbitMQEnumeratorState> createEnumerator(
            SplitEnumeratorContext<RabbitMQSplit> enumContext) {
        return new RabbitMQEnumerator(enumContext, queue, deduplicate, 0);
    }

    @Internal
    @Override
    public SplitEnumerator<RabbitMQSplit, RabbitMQEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<RabbitMQSplit> enumContext, RabbitMQEnumeratorState checkpoint) {
        return new RabbitMQEnumerator(enumContext, queue, deduplicate, checkpoint.nextSlot());
    }

    @Internal
    @Override
    public SimpleVersionedSerializer<RabbitMQSplit> getSplitSerializer() {
        return new RabbitMQSplitSerializer();
    }

    @Internal
    @Override
    public SimpleVersionedSerializer<RabbitMQEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new RabbitMQEnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    @Override
    public String toString() {
        return "RabbitMQSource{queue="
                + queue
                + ", "
                + connection
                + ", prefetch="
                + prefetch
                + ", deduplicate="
                + deduplicate
                + "}";
    }
}
