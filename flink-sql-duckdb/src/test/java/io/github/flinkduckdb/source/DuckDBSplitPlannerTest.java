package io.github.flinkduckdb.source;

import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How tables are divided into splits, and that splits and enumerator state survive state. */
class DuckDBSplitPlannerTest {

    @TempDir Path dir;

    private List<DuckDBSourceSplit> plan(String table, int parallelism, boolean limited)
            throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("p.duckdb"))) {
            return DuckDBSplitPlanner.plan(c, TableIdentifier.parse(table), parallelism, limited);
        }
    }

    private DuckDBTestDatabase db() {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("p.duckdb"));
        db.execute(
                "CREATE TABLE keyed (id INTEGER PRIMARY KEY, v VARCHAR)",
                "INSERT INTO keyed SELECT range, 'x' FROM range(-5, 95)",
                "CREATE TABLE plain (v VARCHAR)",
                "INSERT INTO plain SELECT 'y' FROM range(10)",
                "CREATE TABLE one (id BIGINT PRIMARY KEY)",
                "INSERT INTO one VALUES (7)",
                "CREATE VIEW keyed_view AS SELECT * FROM keyed");
        return db;
    }

    @Test
    void integerPrimaryKeyIsSplitIntoEqualContiguousRanges() throws Exception {
        db();
        assertThat(plan("keyed", 4, false))
                .containsExactly(
                        new DuckDBSourceSplit("split-0", "\"id\"", -5, 19, 0),
                        new DuckDBSourceSplit("split-1", "\"id\"", 20, 44, 0),
                        new DuckDBSourceSplit("split-2", "\"id\"", 45, 69, 0),
                        new DuckDBSourceSplit("split-3", "\"id\"", 70, 94, 0));
    }

    @Test
    void tableWithoutIntegerKeyIsSplitByRowid() throws Exception {
        db();
        List<DuckDBSourceSplit> splits = plan("plain", 3, false);
        assertThat(splits).hasSize(3);
        assertThat(splits).allSatisfy(s -> assertThat(s.rangeColumn()).isEqualTo("rowid"));
        assertThat(splits.get(0).lower()).isZero();
        assertThat(splits.get(2).upper()).isEqualTo(9);
    }

    @Test
    void oneSplitForViewsTinyTablesLimitsAndParallelismOne() throws Exception {
        db();
        DuckDBSourceSplit whole = DuckDBSourceSplit.whole("split-0");
        assertThat(plan("keyed_view", 4, false)).containsExactly(whole);
        assertThat(plan("one", 4, false)).containsExactly(whole);
        assertThat(plan("keyed", 4, true)).containsExactly(whole);
        assertThat(plan("keyed", 1, false)).containsExactly(whole);
    }

    @Test
    void rangesCoverTheWholeLongRangeWithoutOverflow() {
        List<DuckDBSourceSplit> splits =
                DuckDBSplitPlanner.ranges(
                        "\"id\"",
                        BigInteger.valueOf(Long.MIN_VALUE),
                        BigInteger.valueOf(Long.MAX_VALUE),
                        2);
        assertThat(splits.get(0).lower()).isEqualTo(Long.MIN_VALUE);
        assertThat(splits.get(0).upper()).isEqualTo(-1);
        assertThat(splits.get(1).lower()).isZero();
        assertThat(splits.get(1).upper()).isEqualTo(Long.MAX_VALUE);
        assertThat(DuckDBSplitPlanner.ranges("rowid", BigInteger.ZERO, BigInteger.ONE, 5))
                .hasSize(2);
    }

    @Test
    void splitsAndEnumeratorStateRoundTripThroughTheirSerializers() throws Exception {
        DuckDBSourceSplitSerializer splits = new DuckDBSourceSplitSerializer();
        DuckDBSourceSplit a = new DuckDBSourceSplit("split-1", "\"id\"", -3, 40, 17);
        DuckDBSourceSplit b = DuckDBSourceSplit.whole("split-0");
        assertThat(splits.deserialize(splits.getVersion(), splits.serialize(a))).isEqualTo(a);
        assertThat(splits.deserialize(splits.getVersion(), splits.serialize(b))).isEqualTo(b);

        DuckDBEnumeratorStateSerializer states = new DuckDBEnumeratorStateSerializer();
        DuckDBEnumeratorState state = new DuckDBEnumeratorState(true, Arrays.asList(a, b));
        DuckDBEnumeratorState restored =
                states.deserialize(states.getVersion(), states.serialize(state));
        assertThat(restored.planned()).isTrue();
        assertThat(restored.remaining()).containsExactly(a, b);
    }

    @Test
    void splitRangeIsABoundCondition() {
        DuckDBSourceSplit s = new DuckDBSourceSplit("split-0", "\"id\"", 1, 9, 0);
        assertThat(s.predicate().sql()).isEqualTo("\"id\" BETWEEN ? AND ?");
        assertThat(s.predicate().values()).containsExactly(1L, 9L);
        assertThat(DuckDBSourceSplit.whole("w").predicate()).isNull();
    }
}
