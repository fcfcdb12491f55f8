package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.OtterModelException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Without a declared incoming schema each message is typed alone (Otter's semantics). The
 * invariant: for messages of mixed shapes (missing fields, int vs float, strings for numbers,
 * nested extras, nulls, malformed), the engine, which batches messages of one shape together,
 * yields for every message and model exactly the rows and dead letters of the model run literally
 * on that message alone, in a one-row table typed with the message's own shape.
 */
class SchemaFreeEquivalenceTest {

    /** Row-local, unnest, by-message aggregate, window, per-message, optional field, SELECT *. */
    static final Map<String, String> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put(
                "orders",
                "SELECT incoming.order_id, incoming.user.id AS user_id, len(incoming.items) AS"
                        + " item_count, list_sum([i.price * i.quantity FOR i IN incoming.items]) AS"
                        + " total, incoming.currency FROM incoming");
        MODELS.put(
                "purchases",
                "SELECT incoming.order_id, unnest(incoming.items).sku AS sku, incoming.user.id AS"
                        + " user_id FROM incoming");
        MODELS.put(
                "item_stats",
                "SELECT count(*) AS n, sum(i.quantity) AS quantity, max(i.price) AS max_price FROM"
                        + " (SELECT unnest(incoming.items) AS i FROM incoming)");
        MODELS.put(
                "ranked",
                "SELECT i.sku, row_number() OVER (ORDER BY i.price DESC, i.sku) AS rank FROM"
                        + " (SELECT unnest(incoming.items) AS i FROM incoming) ORDER BY rank");
        MODELS.put("coupons", "SELECT incoming.order_id, incoming.coupon FROM incoming");
        MODELS.put("everything", "SELECT * FROM incoming");
        MODELS.put(
                "first_item",
                "SELECT i.sku FROM (SELECT unnest(incoming.items) AS i FROM incoming) LIMIT 1");
    }

    static OtterTransformBuilder builder() {
        OtterTransformBuilder b = OtterTransform.builder();
        MODELS.forEach(b::addModel);
        return b;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 2L})
    void eachMessageGetsTheRowsOfItsModelsRunAlone(long seed) throws Exception {
        OtterTransform transform = builder().build();
        assertThat(transform.isSchemaFree()).isTrue();
        List<String> messages = messages(new Random(seed), 300);

        List<OtterResult> batched;
        try (OtterEngine engine = transform.openEngine()) {
            batched = PerMessageReference.inRandomChunks(engine, messages, seed);
            assertThat(engine.batchedRuns()).as("shapes run batched").isGreaterThan(100);
        }

        Map<IncomingSchema, Reference> references = new HashMap<>();
        int rows = 0;
        int unbound = 0;
        int parseFailures = 0;
        try {
            for (int i = 0; i < messages.size(); i++) {
                String message = messages.get(i);
                OtterResult actual = batched.get(i);
                IncomingSchema shape;
                try {
                    shape =
                            IncomingSchema.inferFromMessage(
                                    message.getBytes(StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    assertThat(actual.isParseFailure()).as("message %d: %s", i, message).isTrue();
                    assertThat(actual.deadLetters()).hasSize(1);
                    parseFailures++;
                    continue;
                }
                assertThat(actual.incomingSchema()).isEqualTo(shape);
                Reference reference = references.get(shape);
                if (reference == null) {
                    reference = new Reference(shape);
                    references.put(shape, reference);
                }
                PerMessageReference.Outcome expected = reference.run(message);
                List<String> names = transform.modelNames();
                for (int m = 0; m < names.size(); m++) {
                    assertThat(actual.rows(m))
                            .as("model %s, message %d: %s", names.get(m), i, message)
                            .isEqualTo(expected.rows.get(m));
                    rows += actual.rows(m).size();
                }
                List<String> actualDeadLetters = PerMessageReference.deadLetters(actual);
                assertThat(actualDeadLetters.size())
                        .as("dead letters of message %d: %s", i, message)
                        .isEqualTo(expected.deadLetters.size());
                for (int d = 0; d < actualDeadLetters.size(); d++) {
                    String e = expected.deadLetters.get(d);
                    String a = actualDeadLetters.get(d);
                    if (e.startsWith("transform|") && e.contains("Binder Error")) {
                        // Bound once per shape: the text names the model and the shape too.
                        String[] parts = e.split("\\|", 3);
                        assertThat(a).startsWith(parts[0] + "|" + parts[1] + "|");
                        assertThat(a).contains(parts[2]).contains("the message typed alone");
                        unbound++;
                    } else {
                        assertThat(a).as("message %d: %s", i, message).isEqualTo(e);
                    }
                }
            }
        } finally {
            for (Reference r : references.values()) {
                r.close();
            }
        }
        assertThat(references.size()).as("distinct shapes").isGreaterThan(20);
        assertThat(rows).isGreaterThan(1_400);
        assertThat(unbound).as("models that need a field a message lacks").isGreaterThan(50);
        assertThat(parseFailures).isGreaterThan(5);
    }

    @Test
    void aMessageIsTypedAsDuckDBsReadJsonTypesItAlone(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // The documented differences (null fields and empty objects are JSON, strings are not
        // sniffed for dates, names differing in case only are rejected) stay out of the sample.
        Random random = new Random(7);
        int compared = 0;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            for (String message : messages(random, 300)) {
                IncomingSchema shape;
                try {
                    shape =
                            IncomingSchema.inferFromMessage(
                                    message.getBytes(StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                String sql = shape.columnDefinitions();
                if (sql.contains("JSON")) {
                    continue;
                }
                Path file = dir.resolve("m" + compared + ".json");
                Files.writeString(file, message);
                StringBuilder duckdb = new StringBuilder();
                try (Statement st = c.createStatement();
                        ResultSet rs =
                                st.executeQuery(
                                        "DESCRIBE SELECT * FROM read_json_auto('" + file + "')")) {
                    while (rs.next()) {
                        if (duckdb.length() > 0) {
                            duckdb.append(", ");
                        }
                        duckdb.append('"')
                                .append(rs.getString(1))
                                .append("\" ")
                                .append(rs.getString(2));
                    }
                }
                assertThat(normalize(sql)).as(message).isEqualTo(normalize(duckdb.toString()));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(50);
    }

    private static String normalize(String columns) {
        return columns.replace("\"", "").toLowerCase(Locale.ROOT);
    }

    @Test
    void buildChecksWhatItCanWithoutASchemaAndTheFlinkOperatorNeedsOne() {
        assertThatThrownBy(
                        () ->
                                OtterTransform.builder()
                                        .addModel("bad", "SELECT * FROM incoming WHERE")
                                        .build())
                .isInstanceOf(OtterModelException.class)
                .hasMessageContaining("bad");
        assertThatThrownBy(
                        () ->
                                OtterTransform.builder()
                                        .addModel("files", "SELECT * FROM read_csv('/etc/passwd')")
                                        .build())
                .isInstanceOf(OtterModelException.class)
                .hasMessageContaining("read_csv");
        OtterTransform transform = builder().build();
        assertThatThrownBy(() -> transform.outputSchema("orders"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("incoming schema");
        assertThatThrownBy(() -> transform.processFunction(String.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("types each message alone");
    }

    /** Messages of many shapes, as a loosely governed producer sends them. */
    static List<String> messages(Random r, int count) {
        List<String> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            int kind = r.nextInt(100);
            if (kind < 2) {
                out.add(kind == 0 ? "{\"order_id\": 1," : "[1, 2]");
                continue;
            }
            if (kind < 3) {
                out.add("{}");
                continue;
            }
            if (kind < 70) {
                // The common case: one producer, one shape.
                StringBuilder items = new StringBuilder();
                for (int i = 0; i <= r.nextInt(3); i++) {
                    items.append(i > 0 ? ", " : "")
                            .append("{\"sku\": \"s")
                            .append(r.nextInt(20))
                            .append("\", \"quantity\": ")
                            .append(1 + r.nextInt(5))
                            .append(", \"price\": ")
                            .append(1 + r.nextInt(2000) / 100.0)
                            .append('}');
                }
                out.add(
                        "{\"order_id\": "
                                + n
                                + ", \"user\": {\"id\": "
                                + r.nextInt(100)
                                + ", \"name\": \"u"
                                + r.nextInt(9)
                                + "\"}, \"items\": ["
                                + items
                                + "], \"currency\": \""
                                + (r.nextBoolean() ? "EUR" : "USD")
                                + "\"}");
                continue;
            }
            StringBuilder sb = new StringBuilder("{");
            List<String> fields = new ArrayList<>();
            int idKind = r.nextInt(10);
            fields.add(
                    "\"order_id\": "
                            + (idKind < 7
                                    ? String.valueOf(n)
                                    : idKind < 9 ? "\"o-" + n + "\"" : n + ".5"));
            if (r.nextInt(10) < 8) {
                fields.add(
                        "\"user\": "
                                + (r.nextInt(10) == 0
                                        ? "null"
                                        : "{\"id\": "
                                                + r.nextInt(100)
                                                + (r.nextBoolean()
                                                        ? ", \"name\": \"u" + r.nextInt(9) + "\""
                                                        : "")
                                                + (r.nextInt(5) == 0
                                                        ? ", \"tier\": {\"level\": 2}"
                                                        : "")
                                                + "}"));
            }
            if (r.nextInt(10) < 9) {
                StringBuilder items = new StringBuilder("[");
                int k = r.nextInt(4);
                boolean floats = r.nextBoolean();
                for (int i = 0; i < k; i++) {
                    if (i > 0) {
                        items.append(", ");
                    }
                    items.append("{\"sku\": \"s")
                            .append(r.nextInt(20))
                            .append("\", \"quantity\": ")
                            .append(1 + r.nextInt(5))
                            .append(", \"price\": ")
                            .append(
                                    floats
                                            ? (r.nextInt(2000) / 100.0)
                                            : String.valueOf(r.nextInt(30)))
                            .append(r.nextInt(6) == 0 ? ", \"gift\": true" : "")
                            .append('}');
                }
                fields.add("\"items\": " + items.append(']'));
            }
            if (r.nextBoolean()) {
                fields.add("\"currency\": \"" + (r.nextBoolean() ? "EUR" : "USD") + "\"");
            }
            if (r.nextInt(4) == 0) {
                fields.add(
                        "\"coupon\": "
                                + (r.nextBoolean() ? "\"C" + r.nextInt(9) + "\"" : r.nextInt(50)));
            }
            if (r.nextInt(8) == 0) {
                fields.add("\"tags\": [" + (r.nextBoolean() ? "1, 2" : "\"a\", \"b\"") + "]");
            }
            if (r.nextInt(10) == 0) {
                fields.add("\"note\": null");
            }
            if (r.nextInt(10) == 0) {
                // Another producer's field order: another shape (SELECT * follows it).
                java.util.Collections.shuffle(fields.subList(1, fields.size()), r);
            }
            sb.append(String.join(", ", fields)).append('}');
            out.add(sb.toString());
        }
        return out;
    }

    /** The literal run on one message alone, for the models that bind against its shape. */
    private static final class Reference implements AutoCloseable {
        private final PerMessageReference bound;
        private final List<String> modelOrder = new ArrayList<>(MODELS.keySet());
        private final List<String> boundModels = new ArrayList<>();
        private final Connection literal;

        Reference(IncomingSchema shape) throws Exception {
            OtterTransformBuilder b =
                    OtterTransform.builder()
                            .incomingSchema(shape)
                            .microBatching(false)
                            .batchByMessage(false);
            this.literal = DriverManager.getConnection("jdbc:duckdb:");
            try (Statement st = literal.createStatement()) {
                st.execute("CREATE TABLE incoming (" + shape.columnDefinitions() + ")");
            }
            for (Map.Entry<String, String> m : MODELS.entrySet()) {
                try (Statement st = literal.createStatement()) {
                    st.executeQuery("DESCRIBE " + m.getValue()).close();
                } catch (java.sql.SQLException e) {
                    continue;
                }
                b.addModel(m.getKey(), m.getValue());
                boundModels.add(m.getKey());
            }
            this.bound = boundModels.isEmpty() ? null : new PerMessageReference(b.build());
        }

        PerMessageReference.Outcome run(String message) throws Exception {
            PerMessageReference.Outcome part = bound == null ? null : bound.run(message);
            PerMessageReference.Outcome all = new PerMessageReference.Outcome();
            List<String> deadLetters = new ArrayList<>();
            for (String model : modelOrder) {
                int b = boundModels.indexOf(model);
                if (b >= 0) {
                    all.rows.add(part.rows.get(b));
                    for (String d : part.deadLetters) {
                        if (d.startsWith("parse|") && !deadLetters.contains(d)) {
                            deadLetters.add(d);
                        } else if (d.split("\\|", 3)[1].equals(model)) {
                            deadLetters.add(d);
                        }
                    }
                } else {
                    all.rows.add(new ArrayList<>());
                    // The model run literally on the message's one-row table fails to bind.
                    String error;
                    try (Statement st = literal.createStatement();
                            ResultSet rs = st.executeQuery(MODELS.get(model))) {
                        throw new AssertionError(model + " binds against " + message);
                    } catch (java.sql.SQLException e) {
                        error = e.getMessage();
                    }
                    deadLetters.add(
                            PerMessageReference.deadLetter(OtterStage.TRANSFORM, model, error));
                }
            }
            if (!deadLetters.isEmpty() && deadLetters.get(0).startsWith("parse|")) {
                all.deadLetters.add(deadLetters.get(0));
                for (List<org.apache.flink.types.Row> rows : all.rows) {
                    rows.clear();
                }
            } else {
                all.deadLetters.addAll(deadLetters);
            }
            return all;
        }

        @Override
        public void close() throws Exception {
            if (bound != null) {
                bound.close();
            }
            literal.close();
        }
    }
}
