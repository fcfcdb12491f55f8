package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.model.ModelAnalysis;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Row-locality is decided on DuckDB's parse tree: row-local models run once per batch, the rest
 * once per message, with the reason.
 */
class RowLocalityTest {

    private static final String SCHEMA =
            "a BIGINT, b VARCHAR, items STRUCT(x BIGINT, sku VARCHAR)[], u STRUCT(id BIGINT)";

    private static OtterTransform transform;

    static Stream<Arguments> models() {
        return Stream.of(
                // row-local
                Arguments.of("projection", "SELECT a, b FROM incoming", null),
                Arguments.of("where", "SELECT * FROM incoming WHERE a > 1", null),
                Arguments.of("select_unnest", "SELECT unnest(items) AS item FROM incoming", null),
                Arguments.of(
                        "alias_and_unnest",
                        "SELECT i.a, t.x FROM incoming AS i, unnest(i.items) AS t",
                        null),
                Arguments.of(
                        "cross_constant", "SELECT a, r.range FROM incoming, range(3) AS r", null),
                Arguments.of(
                        "correlated_aggregate",
                        "SELECT a, (SELECT max(t.x) FROM unnest(incoming.items) AS t) AS m"
                                + " FROM incoming",
                        null),
                Arguments.of(
                        "exists",
                        "SELECT a FROM incoming WHERE EXISTS (SELECT 1 FROM"
                                + " unnest(incoming.items) AS t WHERE t.x > 1)",
                        null),
                Arguments.of(
                        "constant_cte",
                        "WITH k AS (SELECT 1 AS one) SELECT a, k.one FROM incoming, k",
                        null),
                Arguments.of(
                        "left_join_values",
                        "SELECT a, v.label FROM incoming LEFT JOIN (VALUES (1, 'one'), (2,"
                                + " 'two')) AS v(k, label) ON v.k = incoming.a",
                        null),
                Arguments.of(
                        "list_comprehension",
                        "SELECT [t.x * 2 FOR t IN items IF t.x > 0] AS doubled, list_sum([t.x"
                                + " FOR t IN items]) AS total FROM incoming",
                        null),
                Arguments.of(
                        "case",
                        "SELECT CASE WHEN a > 0 THEN 'pos' ELSE 'neg' END AS s FROM incoming",
                        null),
                Arguments.of("from_first", "FROM incoming SELECT a", null),
                Arguments.of(
                        "unaliased_expression", "SELECT len(items), a + 1 FROM incoming", null),
                // per message
                Arguments.of(
                        "pivot",
                        "SELECT * FROM incoming PIVOT (sum(a) FOR b IN ('x', 'y'))",
                        "PIVOT"),
                Arguments.of("count", "SELECT count(*) AS n FROM incoming", "aggregate count_star"),
                Arguments.of(
                        "sum",
                        "SELECT sum(t.x) AS s FROM incoming, unnest(incoming.items) AS t",
                        "aggregate sum"),
                Arguments.of(
                        "list_aggregate", "SELECT list(a) AS l FROM incoming", "aggregate list"),
                Arguments.of("group_by", "SELECT b, a FROM incoming GROUP BY b, a", "GROUP BY"),
                Arguments.of(
                        "group_by_all",
                        "SELECT b, count(*) AS n FROM incoming GROUP BY ALL",
                        "GROUP BY ALL"),
                Arguments.of("distinct", "SELECT DISTINCT b FROM incoming", "DISTINCT"),
                Arguments.of(
                        "distinct_on", "SELECT DISTINCT ON (b) b, a FROM incoming", "DISTINCT"),
                Arguments.of("limit", "SELECT a FROM incoming LIMIT 1", "LIMIT/OFFSET"),
                Arguments.of("offset", "SELECT a FROM incoming OFFSET 1", "LIMIT/OFFSET"),
                Arguments.of("order_by", "SELECT a FROM incoming ORDER BY a", "ORDER BY"),
                Arguments.of(
                        "window",
                        "SELECT a, row_number() OVER () AS rn FROM incoming",
                        "window function row_number"),
                Arguments.of(
                        "window_aggregate",
                        "SELECT a, sum(a) OVER () AS s FROM incoming",
                        "window function sum"),
                Arguments.of(
                        "union",
                        "SELECT a FROM incoming UNION ALL SELECT a FROM incoming",
                        "more than once"),
                Arguments.of(
                        "except",
                        "SELECT a FROM incoming EXCEPT SELECT 1",
                        "set operation (EXCEPT)"),
                Arguments.of(
                        "sample", "SELECT a FROM incoming USING SAMPLE 1 ROWS", "USING SAMPLE"),
                Arguments.of(
                        "table_sample",
                        "SELECT a FROM incoming TABLESAMPLE 1 ROWS",
                        "USING SAMPLE"),
                Arguments.of(
                        "subquery_over_incoming",
                        "SELECT a, (SELECT count(*) FROM incoming) AS n FROM incoming",
                        "more than once"),
                Arguments.of(
                        "self_join",
                        "SELECT x.a FROM incoming AS x, incoming AS y",
                        "more than once"),
                Arguments.of(
                        "cte_over_incoming",
                        "WITH x AS (SELECT * FROM incoming) SELECT a FROM x",
                        "not the first relation"),
                Arguments.of(
                        "incoming_not_first",
                        "SELECT a, t.v FROM (VALUES (1)) AS t(v), incoming",
                        "not the first relation"),
                Arguments.of(
                        "positional_join",
                        "SELECT a, v.k FROM incoming POSITIONAL JOIN (VALUES (1)) AS v(k)",
                        "POSITIONAL join"),
                Arguments.of(
                        "right_join",
                        "SELECT a, v.k FROM incoming RIGHT JOIN (VALUES (1)) AS v(k) ON v.k = incoming.a",
                        "RIGHT join"),
                Arguments.of("no_incoming", "SELECT 1 AS one", "does not read incoming"),
                Arguments.of(
                        "having",
                        "SELECT a FROM incoming GROUP BY a HAVING count(*) > 0",
                        "GROUP BY"),
                Arguments.of(
                        "qualify",
                        "SELECT a FROM incoming QUALIFY row_number() OVER () = 1",
                        "QUALIFY"));
    }

    @BeforeAll
    static void build() {
        OtterTransformBuilder builder = OtterTransform.builder().incomingSchema(SCHEMA);
        models().forEach(a -> builder.addModel((String) a.get()[0], (String) a.get()[1]));
        transform = builder.build();
    }

    @org.junit.jupiter.api.Test
    void unaliasedExpressionsKeepDuckDBsColumnNames() {
        assertThat(transform.rowType("unaliased_expression").getFieldNames())
                .containsExactly("len(items)", "(a + 1)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void classifiesModelFromTheParseTree(String name, String sql, String perMessageReason) {
        ModelAnalysis analysis = transform.model(name);
        if (perMessageReason == null) {
            assertThat(analysis.isRowLocal()).as(analysis.toString()).isTrue();
            assertThat(
                            transform.plan().models().stream()
                                    .filter(m -> m.name().equals(name))
                                    .findFirst()
                                    .orElseThrow()
                                    .batchSql())
                    .isPresent();
            assertThat(analysis.perMessageReason()).isEmpty();
        } else {
            assertThat(analysis.isRowLocal()).as(analysis.toString()).isFalse();
            assertThat(analysis.perMessageReason()).get().asString().contains(perMessageReason);
        }
    }
}
