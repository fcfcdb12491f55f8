package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.model.ModelAnalysis;

import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models that are not row-local (aggregates over a message's items, GROUP BY / HAVING, window
 * functions, ORDER BY with LIMIT, DISTINCT, QUALIFY, CTEs and subqueries reading {@code incoming},
 * set operations) run batched: one query computes each message's rows separately. The invariant:
 * for every generated message, each such model yields the rows (in its ORDER BY, as a multiset
 * without one) and the dead letters that the model run on that message alone yields; messages
 * without items still get the one row of an ungrouped aggregate.
 */
class ByMessageEquivalenceTest {

    /** Name, SQL, whether its top-level ORDER BY fixes the order of a message's rows. */
    static final String[][] MODELS = {
        {
            "per_color",
            "SELECT i.attrs.color AS color, count(*) AS n, sum(i.qty) AS qty FROM incoming,"
                    + " unnest(incoming.items) AS t(i) GROUP BY ALL ORDER BY color NULLS FIRST",
            "ordered"
        },
        {
            "ungrouped",
            "SELECT count(*) AS n, min(i.sku) AS low_sku, avg(i.qty) AS q, sum(i.price) AS spend"
                    + " FROM incoming, unnest(incoming.items) AS t(i)",
            "ordered"
        },
        {
            "top2",
            "SELECT i.sku, i.price, i.qty FROM incoming, unnest(incoming.items) AS t(i)"
                    + " ORDER BY i.price DESC NULLS LAST, i.sku, i.qty LIMIT 2",
            "ordered"
        },
        {
            "having",
            "SELECT i.sku, sum(i.qty) AS q FROM incoming, unnest(incoming.items) AS t(i)"
                    + " GROUP BY i.sku HAVING sum(i.qty) > 1 ORDER BY i.sku",
            "ordered"
        },
        {
            "running",
            "SELECT i.sku, i.qty, sum(i.qty) OVER (PARTITION BY i.attrs.color ORDER BY i.sku,"
                    + " i.qty, i.price) AS running FROM incoming, unnest(incoming.items) AS t(i)"
                    + " ORDER BY 1, 2, 3",
            "ordered"
        },
        {
            "priciest",
            "SELECT incoming.id, i.sku FROM incoming, unnest(incoming.items) AS t(i)"
                    + " QUALIFY row_number() OVER (ORDER BY i.price DESC, i.sku, i.qty) = 1",
            "unordered"
        },
        {
            "distinct_counts",
            "SELECT count(DISTINCT i.attrs.color) AS colors, count(DISTINCT i.sku) AS skus FROM"
                    + " incoming, unnest(incoming.items) AS t(i)",
            "ordered"
        },
        {
            "cte",
            "WITH lines AS (SELECT i.* FROM incoming, unnest(incoming.items) AS t(i))"
                    + " SELECT incoming.id, (SELECT count(*) FROM lines) AS n,"
                    + " (SELECT max(qty) FROM lines) AS top_qty FROM incoming",
            "unordered"
        },
        {
            "intersected",
            "SELECT i.attrs.color AS c FROM incoming, unnest(incoming.items) AS t(i)"
                    + " INTERSECT SELECT unnest(['red', 'blue']) ORDER BY 1",
            "ordered"
        },
        {
            "code_sum",
            "SELECT sum(CAST(code AS INTEGER)) AS s, count(*) AS n FROM incoming GROUP BY kind",
            "unordered"
        },
        {
            "skus",
            "SELECT string_agg(i.sku, ',' ORDER BY i.sku, i.qty, i.price) AS skus,"
                    + " list(i.qty ORDER BY i.qty) AS qtys FROM incoming, unnest(incoming.items)"
                    + " AS t(i)",
            "ordered"
        },
        {
            "aliased",
            "SELECT o.id, i.qty AS price FROM incoming AS o, unnest(o.items) AS t(i)"
                    + " ORDER BY price DESC NULLS FIRST, o.id LIMIT 3",
            "unordered"
        },
        {"star", "SELECT * FROM incoming ORDER BY id LIMIT 1", "ordered"},
        {
            "recursive",
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r, incoming"
                    + " WHERE n < coalesce(incoming.qty, 0) % 5) SELECT count(*) AS c FROM r",
            "ordered"
        },
        {
            "self_join",
            "SELECT a.id, count(*) AS n FROM incoming AS a JOIN incoming AS b ON a.id = b.id,"
                    + " unnest(b.items) AS t(i) GROUP BY a.id",
            "ordered"
        },
        {
            "few_lines",
            "SELECT count(*) AS n FROM incoming, unnest(incoming.items) AS t(i) HAVING count(*) < 2",
            "ordered"
        },
        {
            "none_matching",
            "SELECT count(*) AS n, max(id) AS m FROM incoming WHERE id < 0",
            "ordered"
        },
        {
            "previous",
            "SELECT i.sku, lag(i.sku) OVER (ORDER BY i.sku, i.qty, i.price) AS prev FROM incoming,"
                    + " unnest(incoming.items) AS t(i) ORDER BY 1, 2 NULLS FIRST",
            "ordered"
        },
        {
            "series",
            "SELECT count(*) AS n FROM incoming, generate_series(1, coalesce(incoming.qty, 0) % 7)"
                    + " AS g(x)",
            "ordered"
        },
        {
            "first_per_color",
            "SELECT DISTINCT ON (i.attrs.color) i.attrs.color AS c, i.sku FROM incoming,"
                    + " unnest(incoming.items) AS t(i) ORDER BY i.attrs.color, i.sku",
            "ordered"
        },
        {
            "per_wanted_color",
            "SELECT v.x, count(s.i.sku) AS n FROM (VALUES ('red'), ('blue')) AS v(x) LEFT JOIN"
                    + " (SELECT i FROM incoming, unnest(incoming.items) AS t(i)) AS s ON"
                    + " s.i.attrs.color = v.x GROUP BY v.x ORDER BY v.x",
            "ordered"
        },
        {
            "tags",
            "SELECT DISTINCT unnest(incoming.user.tags) AS tag FROM incoming ORDER BY tag",
            "ordered"
        },
    };

    static OtterTransform transform() {
        OtterTransformBuilder builder =
                OtterTransform.builder().incomingSchema(GeneratedMessages.SCHEMA);
        for (String[] m : MODELS) {
            builder.addModel(m[0], m[1]);
        }
        // Order-sensitive without an ORDER BY of their own: these stay per message.
        builder.addModel(
                "first_line", "SELECT unnest.sku FROM incoming, unnest(incoming.items) LIMIT 1");
        builder.addModel(
                "qty_list",
                "SELECT list(i.qty) AS qtys FROM incoming, unnest(incoming.items) t(i)");
        builder.addModel(
                "rolled_up",
                "SELECT i.sku, count(*) AS n FROM incoming, unnest(incoming.items) t(i)"
                        + " GROUP BY ROLLUP (i.sku) ORDER BY 1 NULLS FIRST");
        builder.addModel(
                "numbered",
                "SELECT i.sku, row_number() OVER () AS n FROM incoming, unnest(incoming.items) t(i)");
        return builder.build();
    }

    @Test
    void modelsThatAreNotRowLocalRunBatchedUnlessTheirResultFollowsInputOrder() {
        OtterTransform transform = transform();
        for (String[] m : MODELS) {
            ModelAnalysis a = transform.model(m[0]);
            assertThat(a.isRowLocal()).as(a.toString()).isFalse();
            assertThat(a.runsBatched()).as(a.toString()).isTrue();
            assertThat(a.perMessageReason()).as(a.toString()).isPresent();
        }
        assertThat(transform.model("first_line").runsBatched()).isFalse();
        assertThat(transform.model("first_line").perMessageReason())
                .get()
                .asString()
                .contains("LIMIT or DISTINCT ON without ORDER BY");
        assertThat(transform.model("qty_list").runsBatched()).isFalse();
        assertThat(transform.model("qty_list").perMessageReason())
                .get()
                .asString()
                .contains("the aggregate list without ORDER BY");
        assertThat(transform.model("rolled_up").runsBatched()).isFalse();
        assertThat(transform.model("rolled_up").perMessageReason())
                .get()
                .asString()
                .contains("GROUPING SETS, ROLLUP or CUBE");
        assertThat(transform.model("numbered").runsBatched()).isFalse();
        assertThat(transform.model("numbered").perMessageReason())
                .get()
                .asString()
                .contains("the window function row_number without ORDER BY");
    }

    @Test
    void batchingByMessageCanBeTurnedOff() {
        OtterTransformBuilder builder =
                OtterTransform.builder()
                        .incomingSchema(GeneratedMessages.SCHEMA)
                        .batchByMessage(false);
        builder.addModel(MODELS[0][0], MODELS[0][1]);
        ModelAnalysis a = builder.build().model(MODELS[0][0]);
        assertThat(a.runsBatched()).isFalse();
        assertThat(a.perMessageReason())
                .get()
                .asString()
                .contains("it uses ORDER BY")
                .contains("batching by message is off");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3L, 4L})
    void batchedOutputEqualsPerMessageExecution(long seed) throws Exception {
        OtterTransform transform = transform();
        List<String> messages = new GeneratedMessages(seed).take(400);

        List<OtterResult> batched;
        long perMessageRuns;
        try (OtterEngine engine = transform.openEngine()) {
            batched = PerMessageReference.inRandomChunks(engine, messages, seed);
            assertThat(engine.batchSplits()).as("failing casts split batches").isGreaterThan(0);
            perMessageRuns = engine.perMessageRuns();
        }
        // Four models run per message; the batched ones only for the messages a split isolated.
        assertThat(perMessageRuns - 4L * parsedMessages(batched))
                .as("runs on single messages by the batched models")
                .isLessThan(messages.size() / 5);

        int rows = 0;
        int emptyItemRows = 0;
        int deadLetters = 0;
        try (PerMessageReference reference = new PerMessageReference(transform)) {
            for (int i = 0; i < messages.size(); i++) {
                PerMessageReference.Outcome expected = reference.run(messages.get(i));
                OtterResult actual = batched.get(i);
                for (int m = 0; m < transform.models().size(); m++) {
                    boolean ordered = m >= MODELS.length || "ordered".equals(MODELS[m][2]);
                    List<Row> got = actual.rows(m);
                    List<Row> want = expected.rows.get(m);
                    String what =
                            String.format(
                                    "model %s, message %d: %s",
                                    transform.modelNames().get(m), i, messages.get(i));
                    if (ordered) {
                        assertThat(got).as(what).isEqualTo(want);
                    } else {
                        assertThat(sorted(got)).as(what).isEqualTo(sorted(want));
                    }
                    rows += got.size();
                    if ("ungrouped".equals(transform.modelNames().get(m))
                            && got.size() == 1
                            && Long.valueOf(0L).equals(got.get(0).getField(0))) {
                        emptyItemRows++;
                    }
                }
                List<String> actualDeadLetters = PerMessageReference.deadLetters(actual);
                assertThat(actualDeadLetters)
                        .as("dead letters of message %d: %s", i, messages.get(i))
                        .isEqualTo(expected.deadLetters);
                deadLetters += actualDeadLetters.size();
            }
        }
        // The generator exercises every outcome.
        assertThat(rows).isGreaterThan(3_000);
        assertThat(emptyItemRows).as("messages without items, counted 0").isGreaterThan(5);
        assertThat(deadLetters).isGreaterThan(20);
    }

    private static long parsedMessages(List<OtterResult> results) {
        return results.stream()
                .filter(
                        r ->
                                r.deadLetters().stream()
                                        .noneMatch(d -> d.getStage() == OtterStage.PARSE))
                .count();
    }

    private static List<String> sorted(List<Row> rows) {
        return rows.stream()
                .map(Row::toString)
                .sorted(Comparator.naturalOrder())
                .collect(Collectors.toList());
    }
}
