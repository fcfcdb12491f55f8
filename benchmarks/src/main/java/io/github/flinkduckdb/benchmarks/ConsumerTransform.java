package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.otter.OtterEngine;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.OtterResult;
import io.github.flinkduckdb.otter.OtterTransform;

import com.rabbitmq.client.Connection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The pipeline's own limit on this machine: the raw consumer ({@link RawConsumer}, its prefetch)
 * that also runs the project's models on what it receives, without Flink. Its delivery thread
 * collects each delivery as the pipeline's source does (body, queue, delivery tag, correlation id),
 * and every {@link PipelineBenchmark#BATCH_SIZE} messages runs them through the Otter transform's
 * engine (the code the pipeline's operator runs: parse, load into DuckDB, run the models, read
 * their rows), then acknowledges them (multiple). The rows are counted, not written: no pipeline
 * that writes them to Parquet can beat it on the same broker and cores.
 */
final class ConsumerTransform {

    private ConsumerTransform() {}

    /**
     * Consumes {@code messages} from {@code queue}; returns the ended window (steady after a
     * quarter of the messages). Fails unless the models made exactly {@code validOrders} rows of
     * their first model ({@code orders}, one per valid order).
     */
    static TimedWindow consume(
            Connection connection,
            String queue,
            int messages,
            OtterTransform transform,
            long validOrders)
            throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong orders = new AtomicLong();
        try (OtterEngine engine = transform.openEngine()) {
            // The clock starts at basicConsume, as the raw consumer's; the engine's DuckDB is
            // open by then, as the pipeline's is when its consumer registers.
            TimedWindow window = new TimedWindow(messages, messages, false);
            int ordersModel = engine.modelNames().indexOf("orders");
            List<OtterMessage> batch = new ArrayList<>(PipelineBenchmark.BATCH_SIZE);
            RawConsumer.consume(
                    connection,
                    queue,
                    messages,
                    RawConsumer.PREFETCH,
                    window,
                    "consumer with the transform",
                    (n, channel, envelope, properties, body) -> {
                        batch.add(
                                new OtterMessage(
                                        body,
                                        queue,
                                        null,
                                        envelope.getDeliveryTag(),
                                        properties.getCorrelationId()));
                        if (batch.size() < PipelineBenchmark.BATCH_SIZE && n < messages) {
                            return false;
                        }
                        try {
                            for (OtterResult r : engine.process(batch, n - batch.size())) {
                                orders.addAndGet(r.rows(ordersModel).size());
                            }
                        } catch (Exception e) {
                            failure.compareAndSet(null, e);
                            return true;
                        }
                        batch.clear();
                        channel.basicAck(envelope.getDeliveryTag(), true);
                        window.passed(n);
                        return n == messages;
                    });
            if (failure.get() != null) {
                throw new IllegalStateException("The transform failed", failure.get());
            }
            if (orders.get() != validOrders) {
                throw new IllegalStateException(
                        "The transform made " + orders.get() + " orders of " + validOrders);
            }
            return window;
        }
    }
}
