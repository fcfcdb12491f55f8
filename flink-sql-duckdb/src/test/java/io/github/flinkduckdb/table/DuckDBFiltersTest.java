package io.github.flinkduckdb.table;

import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.source.DuckDBPredicate;
import io.github.flinkduckdb.source.DuckDBScanQuery;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinition;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The exact DuckDB SQL and bound values that filter push-down produces. */
class DuckDBFiltersTest {

    private static final Map<String, LogicalType> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("id", DataTypes.BIGINT().getLogicalType());
        COLUMNS.put("name", DataTypes.STRING().getLogicalType());
        COLUMNS.put("total", DataTypes.DECIMAL(10, 2).getLogicalType());
        COLUMNS.put("day", DataTypes.DATE().getLogicalType());
        COLUMNS.put("at", DataTypes.TIMESTAMP(3).getLogicalType());
        COLUMNS.put("active", DataTypes.BOOLEAN().getLogicalType());
        COLUMNS.put("tags", DataTypes.ARRAY(DataTypes.STRING()).getLogicalType());
    }

    private final DuckDBFilters filters = new DuckDBFilters(COLUMNS);

    private static FieldReferenceExpression field(String name) {
        return new FieldReferenceExpression(name, DataTypes.of(COLUMNS.get(name)), 0, 0);
    }

    private static CallExpression call(BuiltInFunctionDefinition f, ResolvedExpression... args) {
        return CallExpression.permanent(f, Arrays.asList(args), DataTypes.BOOLEAN());
    }

    private static ValueLiteralExpression lit(Object v, DataType type) {
        return new ValueLiteralExpression(v, type.notNull());
    }

    private Optional<DuckDBPredicate> translate(ResolvedExpression e) {
        return filters.translate(e);
    }

    @Test
    void comparisonsBindTheLiteralAndCastTheColumnToItsDeclaredType() {
        DuckDBPredicate p =
                translate(
                                call(
                                        BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL,
                                        field("id"),
                                        lit(5L, DataTypes.BIGINT())))
                        .get();
        assertThat(p.sql()).isEqualTo("(CAST(\"id\" AS BIGINT) >= CAST(? AS BIGINT))");
        assertThat(p.values()).containsExactly(5L);
        DuckDBPredicate reversed =
                translate(
                                call(
                                        BuiltInFunctionDefinitions.LESS_THAN,
                                        lit(new BigDecimal("9.50"), DataTypes.DECIMAL(3, 2)),
                                        field("total")))
                        .get();
        assertThat(reversed.sql())
                .isEqualTo("(CAST(? AS DECIMAL(3,2)) < CAST(\"total\" AS DECIMAL(10,2)))");
        assertThat(reversed.values()).containsExactly(new BigDecimal("9.50"));
    }

    @Test
    void temporalLiteralsAreBoundAsTextDuckDBCasts() {
        DuckDBPredicate day =
                translate(
                                call(
                                        BuiltInFunctionDefinitions.EQUALS,
                                        field("day"),
                                        lit(LocalDate.of(2024, 2, 29), DataTypes.DATE())))
                        .get();
        assertThat(day.sql()).isEqualTo("(CAST(\"day\" AS DATE) = CAST(? AS DATE))");
        assertThat(day.values()).containsExactly("2024-02-29");
        DuckDBPredicate at =
                translate(
                                call(
                                        BuiltInFunctionDefinitions.LESS_THAN,
                                        field("at"),
                                        lit(
                                                LocalDateTime.of(2024, 1, 2, 3, 4),
                                                DataTypes.TIMESTAMP(3))))
                        .get();
        assertThat(at.sql()).isEqualTo("(CAST(\"at\" AS TIMESTAMP) < CAST(? AS TIMESTAMP_NS))");
        assertThat(at.values()).containsExactly("2024-01-02 03:04:00.000000000");
    }

    @Test
    void inIsNullAndOrNotAndLikeAreTranslated() {
        DuckDBPredicate p =
                translate(
                                call(
                                        BuiltInFunctionDefinitions.OR,
                                        call(
                                                BuiltInFunctionDefinitions.IN,
                                                field("name"),
                                                lit("a", DataTypes.STRING()),
                                                lit("b", DataTypes.STRING())),
                                        call(
                                                BuiltInFunctionDefinitions.AND,
                                                call(
                                                        BuiltInFunctionDefinitions.IS_NULL,
                                                        field("total")),
                                                call(
                                                        BuiltInFunctionDefinitions.NOT,
                                                        field("active"))),
                                        call(
                                                BuiltInFunctionDefinitions.LIKE,
                                                field("name"),
                                                lit("x%\\_", DataTypes.STRING()))))
                        .get();
        assertThat(p.sql())
                .isEqualTo(
                        "((CAST(\"name\" AS VARCHAR) IN (CAST(? AS VARCHAR), CAST(? AS VARCHAR))) OR "
                                + "((CAST(\"total\" AS DECIMAL(10,2)) IS NULL) AND (NOT CAST(\"active\" AS BOOLEAN))) OR "
                                + "(CAST(\"name\" AS VARCHAR) LIKE CAST(? AS VARCHAR)))");
        assertThat(p.values()).containsExactly("a", "b", "x%\\_");
    }

    @Test
    void whatDuckDBIsNotGivenStaysInFlink() {
        // A function call
        assertThat(
                        translate(
                                call(
                                        BuiltInFunctionDefinitions.EQUALS,
                                        CallExpression.permanent(
                                                BuiltInFunctionDefinitions.UPPER,
                                                Arrays.asList(field("name")),
                                                DataTypes.STRING()),
                                        lit("A", DataTypes.STRING()))))
                .isEmpty();
        // A nested-type column
        assertThat(translate(call(BuiltInFunctionDefinitions.IS_NULL, field("tags")))).isEmpty();
        // One untranslatable side of an OR keeps the whole OR in Flink
        assertThat(
                        translate(
                                call(
                                        BuiltInFunctionDefinitions.OR,
                                        call(BuiltInFunctionDefinitions.IS_NULL, field("name")),
                                        call(BuiltInFunctionDefinitions.IS_NULL, field("tags")))))
                .isEmpty();
        // A comparison of two literals, and LIKE with an ESCAPE clause
        assertThat(
                        translate(
                                call(
                                        BuiltInFunctionDefinitions.EQUALS,
                                        lit(1, DataTypes.INT()),
                                        lit(1, DataTypes.INT()))))
                .isEmpty();
        assertThat(
                        translate(
                                call(
                                        BuiltInFunctionDefinitions.LIKE,
                                        field("name"),
                                        lit("a!%", DataTypes.STRING()),
                                        lit("!", DataTypes.STRING()))))
                .isEmpty();
    }

    @Test
    void scanQueryPutsProjectionFiltersSplitRangeAndLimitTogether() {
        RowType produced =
                (RowType)
                        DataTypes.ROW(
                                        DataTypes.FIELD("id", DataTypes.BIGINT()),
                                        DataTypes.FIELD("name", DataTypes.STRING()))
                                .getLogicalType();
        DuckDBPredicate filter =
                translate(
                                call(
                                        BuiltInFunctionDefinitions.GREATER_THAN,
                                        field("id"),
                                        lit(10L, DataTypes.BIGINT())))
                        .get();
        DuckDBScanQuery q =
                new DuckDBScanQuery(TableIdentifier.parse("main.orders"), produced, filter, 5);
        DuckDBPredicate range =
                new DuckDBPredicate("\"id\" BETWEEN ? AND ?", Arrays.asList(11L, 20L));
        assertThat(q.sql(range))
                .isEqualTo(
                        "SELECT CAST(\"id\" AS BIGINT) AS \"id\", CAST(\"name\" AS VARCHAR) AS \"name\" "
                                + "FROM \"main\".\"orders\" WHERE ((CAST(\"id\" AS BIGINT) > CAST(? AS BIGINT))) "
                                + "AND (\"id\" BETWEEN ? AND ?) LIMIT 5");
        assertThat(q.values(range)).containsExactly(10L, 11L, 20L);
    }
}
