package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.model.ModelAnalysis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whether a model may yield several rows for one message (so a key taken from the message does not
 * identify its rows) is decided on the parse tree; each classification is checked against what the
 * model yields for a message with three items.
 */
class RowsPerMessageTest {

    private static final String SCHEMA =
            "a BIGINT, b VARCHAR, items STRUCT(x BIGINT, sku VARCHAR)[], u STRUCT(id BIGINT)";
    private static final String MESSAGE =
            "{\"a\": 1, \"b\": \"x\", \"items\": [{\"x\": 1, \"sku\": \"p\"}, {\"x\": 2, \"sku\":"
                    + " \"q\"}, {\"x\": 3, \"sku\": \"r\"}], \"u\": {\"id\": 7}}";

    private static OtterTransform transform;
    private static OtterEngine engine;
    private static OtterResult result;

    static Stream<Arguments> models() {
        return Stream.of(
                // at most one row per message: reason null, rows yielded for MESSAGE
                Arguments.of("projection", "SELECT a, b FROM incoming", null, 1),
                Arguments.of("where", "SELECT a FROM incoming WHERE a > 5", null, 0),
                Arguments.of("aggregate", "SELECT count(*) AS n FROM incoming", null, 1),
                Arguments.of(
                        "list_functions",
                        "SELECT a, len(items) AS n, list_sum([t.x FOR t IN items]) AS s"
                                + " FROM incoming",
                        null,
                        1),
                Arguments.of(
                        "scalar_subquery_over_unnest",
                        "SELECT a, (SELECT max(t.x) FROM unnest(incoming.items) AS t) AS m"
                                + " FROM incoming",
                        null,
                        1),
                // several rows per message
                Arguments.of(
                        "seed_purchases",
                        "SELECT incoming.a AS order_id, unnest.sku FROM incoming,"
                                + " unnest(incoming.items)",
                        "it reads the table function unnest",
                        3),
                Arguments.of(
                        "select_unnest",
                        "SELECT a, unnest(items) AS item FROM incoming",
                        "it calls unnest in its select list",
                        3),
                Arguments.of(
                        "subscripts",
                        "SELECT a, generate_subscripts(items, 1) AS i FROM incoming",
                        "it calls generate_subscripts in its select list",
                        3),
                Arguments.of(
                        "range",
                        "SELECT a, r.range FROM incoming, range(2) AS r",
                        "it reads the table function range",
                        2),
                Arguments.of(
                        "join_values",
                        "SELECT a, v.k FROM incoming JOIN (VALUES (1), (1)) AS v(k) ON v.k ="
                                + " incoming.a",
                        "it joins incoming with another relation",
                        2),
                Arguments.of(
                        "union",
                        "SELECT a FROM incoming UNION ALL SELECT a FROM incoming",
                        "it is a set operation (UNION",
                        2),
                Arguments.of(
                        "cte",
                        "WITH i AS (SELECT a, unnest(items) AS item FROM incoming)"
                                + " SELECT a, item.x FROM i",
                        "it reads i, not incoming alone",
                        3),
                // conservative: unnest of a STRUCT expands columns, yet the model is flagged
                Arguments.of(
                        "struct_unnest",
                        "SELECT a, unnest(u) FROM incoming",
                        "it calls unnest in its select list",
                        1));
    }

    @BeforeAll
    static void build() throws Exception {
        OtterTransformBuilder builder = OtterTransform.builder().incomingSchema(SCHEMA);
        models().forEach(a -> builder.addModel((String) a.get()[0], (String) a.get()[1]));
        transform = builder.build();
        engine = transform.openEngine();
        result = engine.process(Collections.singletonList(OtterMessage.of(MESSAGE)), 0).get(0);
        assertThat(result.deadLetters()).isEmpty();
    }

    @AfterAll
    static void close() throws Exception {
        if (engine != null) {
            engine.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void flagsModelsThatMayYieldSeveralRowsPerMessage(
            String name, String sql, String reason, int rows) {
        ModelAnalysis analysis = transform.model(name);
        if (reason == null) {
            assertThat(analysis.severalRowsPerMessage()).as(analysis.toString()).isEmpty();
        } else {
            assertThat(analysis.severalRowsPerMessage()).get().asString().startsWith(reason);
        }
        List<String> names = transform.modelNames();
        assertThat(result.rows(names.indexOf(name))).hasSize(rows);
    }
}
