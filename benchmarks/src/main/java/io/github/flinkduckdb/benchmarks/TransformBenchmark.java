package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.otter.OtterEngine;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.OtterResult;
import io.github.flinkduckdb.otter.OtterTransform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The Otter transform on the seed's {@code orders.sql} and {@code purchases.sql}: per-message
 * execution (the baseline) against micro-batches of several sizes, on the same generated messages,
 * with the outputs compared row for row. Prints one RESULT line per variant; the last field is the
 * 99th percentile of the time one batch takes.
 */
final class TransformBenchmark {

    static final int[] BATCH_SIZES = {100, 1_000, 5_000};

    /** The batch size of the non-row-local variant. */
    static final int NON_ROW_LOCAL_BATCH = 1_000;

    /**
     * Models that are not row-local, on the seed's messages: an aggregate over each order's items
     * and the priciest item of each order (ORDER BY ... LIMIT).
     */
    static final String[][] NON_ROW_LOCAL_MODELS = {
        {
            "order_totals",
            "SELECT incoming.order_id, count(*) AS lines, sum(i.quantity * i.price) AS total"
                    + " FROM incoming, unnest(incoming.items) AS t(i) GROUP BY incoming.order_id"
        },
        {
            "top_item",
            "SELECT incoming.order_id, i.sku, i.price FROM incoming, unnest(incoming.items) AS"
                    + " t(i) ORDER BY i.price DESC, i.sku LIMIT 1"
        },
    };

    private TransformBenchmark() {}

    static String resource(String path) throws IOException {
        try (InputStream in = TransformBenchmark.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static OtterTransform transform(boolean microBatching, int batchSize) throws IOException {
        return OtterTransform.builder()
                .addModel("orders", resource("/otter/models/orders.sql"))
                .addModel("purchases", resource("/otter/models/purchases.sql"))
                .incomingSchema(resource("/otter/incoming-schema.txt"))
                .microBatching(microBatching)
                .maxBatchSize(batchSize)
                .build();
    }

    /**
     * The non-row-local models, micro-batched; {@code byMessage} false runs them once per message
     * within each batch (the way they ran before they were batched by message).
     */
    static OtterTransform nonRowLocal(boolean byMessage) throws IOException {
        var builder =
                OtterTransform.builder()
                        .incomingSchema(resource("/otter/incoming-schema.txt"))
                        .maxBatchSize(NON_ROW_LOCAL_BATCH)
                        .batchByMessage(byMessage);
        for (String[] m : NON_ROW_LOCAL_MODELS) {
            builder.addModel(m[0], m[1]);
        }
        OtterTransform transform = builder.build();
        for (var model : transform.models()) {
            if (model.isRowLocal() || model.runsBatched() != byMessage) {
                throw new IllegalStateException("not the variant measured: " + model);
            }
        }
        return transform;
    }

    private static List<OtterResult> inBatches(OtterEngine engine, List<OtterMessage> messages)
            throws Exception {
        List<OtterResult> results = new ArrayList<>();
        for (int from = 0; from < messages.size(); from += NON_ROW_LOCAL_BATCH) {
            results.addAll(
                    engine.process(
                            messages.subList(
                                    from, Math.min(messages.size(), from + NON_ROW_LOCAL_BATCH)),
                            from));
        }
        return results;
    }

    /** Seed-shaped orders with 0 to 4 items; every 97th message has a malformed body. */
    static List<OtterMessage> messages(int n) {
        Random random = new Random(42);
        String[] names = {"Ada", "Grace", "Linus", "Barbara", "Ken"};
        List<OtterMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (i % 97 == 96) {
                out.add(OtterMessage.of("{\"order_id\": " + i + ", \"items\": [oops"));
                continue;
            }
            StringBuilder items = new StringBuilder("[");
            int count = random.nextInt(5);
            for (int k = 0; k < count; k++) {
                if (k > 0) {
                    items.append(", ");
                }
                items.append(
                        String.format(
                                "{\"sku\": \"S-%d\", \"name\": \"item %d\", \"quantity\": %d, \"price\": %d.%02d}",
                                random.nextInt(500),
                                k,
                                1 + random.nextInt(9),
                                random.nextInt(100),
                                random.nextInt(100)));
            }
            items.append(']');
            int user = random.nextInt(names.length);
            out.add(
                    OtterMessage.of(
                            String.format(
                                    "{\"order_id\": %d, \"user\": {\"id\": %d, \"name\": \"%s\"}, \"items\": %s, \"currency\": \"%s\", \"placed_at\": \"2026-11-%02dT%02d:%02d:00Z\"}",
                                    i,
                                    user,
                                    names[user],
                                    items,
                                    i % 3 == 0 ? "USD" : "EUR",
                                    1 + i % 28,
                                    i % 24,
                                    i % 60)));
        }
        return out;
    }

    /** Everything a result holds, as text, for comparing two runs row for row. */
    static String fingerprint(List<OtterResult> results, int models) {
        StringBuilder sb = new StringBuilder();
        for (OtterResult r : results) {
            sb.append(r.messageNumber())
                    .append(r.isParseFailure() ? " parse-failure" : "")
                    .append('\n');
            for (int m = 0; m < models; m++) {
                for (Object row : r.rows(m)) {
                    sb.append("  ").append(m).append(' ').append(deepToString(row)).append('\n');
                }
            }
            sb.append("  dead letters ").append(r.deadLetters().size()).append('\n');
        }
        return sb.toString();
    }

    private static String deepToString(Object row) {
        return row instanceof Object[] ? Arrays.deepToString((Object[]) row) : String.valueOf(row);
    }

    /**
     * The non-row-local models in batches of {@link #NON_ROW_LOCAL_BATCH}: run per message within
     * each batch (the baseline: how they ran before they were batched by message), then batched by
     * message, on the same messages, outputs compared.
     */
    static void runNonRowLocal(int perMessage, int batched) throws Exception {
        List<OtterMessage> messages = messages(batched);
        List<OtterMessage> head = messages.subList(0, perMessage);
        int models = NON_ROW_LOCAL_MODELS.length;
        try (OtterEngine engine = nonRowLocal(false).openEngine()) {
            inBatches(engine, head.subList(0, Math.min(50, perMessage))); // warm up
        }
        String reference;
        try (OtterEngine engine = nonRowLocal(false).openEngine()) {
            long start = System.nanoTime();
            List<OtterResult> results = inBatches(engine, head);
            double seconds = (System.nanoTime() - start) / 1e9;
            reference = fingerprint(results, models);
            System.out.printf(
                    "RESULT|transform-non-row-local-per-message|%d|%.3f|0|0|ok|0|0%n",
                    head.size(), seconds);
        }
        try (OtterEngine engine = nonRowLocal(true).openEngine()) {
            inBatches(engine, messages.subList(0, Math.min(NON_ROW_LOCAL_BATCH, 200)));
        }
        try (OtterEngine engine = nonRowLocal(true).openEngine()) {
            long start = System.nanoTime();
            List<OtterResult> results = inBatches(engine, messages);
            double seconds = (System.nanoTime() - start) / 1e9;
            String check =
                    fingerprint(results.subList(0, perMessage), models).equals(reference)
                            ? "ok"
                            : "MISMATCH against per-message execution";
            System.out.printf(
                    "RESULT|transform-non-row-local-batched|%d|%.3f|0|0|%s|0|0%n",
                    messages.size(), seconds, check);
        }
    }

    /** Runs the baseline on {@code perMessage} messages and each batch size on {@code batched}. */
    static void run(int perMessage, int batched) throws Exception {
        List<OtterMessage> messages = messages(batched);
        List<OtterMessage> head = messages.subList(0, perMessage);

        String reference;
        try (OtterEngine engine = transform(false, 1).openEngine()) {
            engine.process(head.subList(0, Math.min(50, perMessage)), 0); // warm up
        }
        try (OtterEngine engine = transform(false, 1).openEngine()) {
            List<OtterResult> results = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < head.size(); i++) {
                results.addAll(engine.process(head.subList(i, i + 1), i));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            reference = fingerprint(results, 2);
            System.out.printf(
                    "RESULT|transform-per-message|%d|%.3f|0|0|ok|0|0%n", head.size(), seconds);
        }

        for (int size : BATCH_SIZES) {
            try (OtterEngine engine = transform(true, size).openEngine()) {
                engine.process(messages.subList(0, Math.min(size, 200)), 0); // warm up
            }
            try (OtterEngine engine = transform(true, size).openEngine()) {
                List<OtterResult> results = new ArrayList<>();
                List<Long> batchNanos = new ArrayList<>();
                long start = System.nanoTime();
                for (int from = 0; from < messages.size(); from += size) {
                    long t = System.nanoTime();
                    results.addAll(
                            engine.process(
                                    messages.subList(from, Math.min(messages.size(), from + size)),
                                    from));
                    batchNanos.add(System.nanoTime() - t);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                String check =
                        fingerprint(results.subList(0, perMessage), 2).equals(reference)
                                ? "ok"
                                : "MISMATCH against per-message execution";
                batchNanos.sort(null);
                long p99 =
                        batchNanos.get(
                                (int)
                                        Math.min(
                                                batchNanos.size() - 1,
                                                Math.ceil(batchNanos.size() * 0.99) - 1));
                System.out.printf(
                        "RESULT|transform-batched-%d|%d|%.3f|0|0|%s|0|%d%n",
                        size, messages.size(), seconds, check, p99 / 1_000_000);
            }
        }
    }
}
