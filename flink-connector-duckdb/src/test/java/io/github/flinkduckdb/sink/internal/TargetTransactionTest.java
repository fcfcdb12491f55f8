package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The routine that moves staged rows into the target, on a real in-memory DuckDB. */
class TargetTransactionTest {

    private Connection c;
    private TargetTable target;
    private final TargetTransaction transaction =
            new TargetTransaction(new CommitGauges(new UnregisteredMetricsGroup()));

    @BeforeEach
    void open() throws SQLException {
        c = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id BIGINT, v VARCHAR)");
            st.execute(
                    "CREATE TABLE staged_a AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) s(id, v)");
            st.execute("CREATE TABLE staged_b AS SELECT * FROM (VALUES (3, 'c')) s(id, v)");
        }
        target = new TargetTable(c, TableIdentifier.parse("main.items"));
        target.ensureMarkerTables(false);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private static TargetTransaction.StagedRelation staged(String table, String committableId) {
        return new TargetTransaction.StagedRelation(
                table,
                Arrays.asList(
                        ColumnSchema.of("id", DuckDBType.of(DuckDBType.Id.BIGINT)),
                        ColumnSchema.of("v", DuckDBType.of(DuckDBType.Id.VARCHAR))),
                Arrays.asList("\"id\"", "\"v\""),
                Arrays.asList("s.\"id\"", "s.\"v\""),
                null,
                Collections.emptyList(),
                null,
                committableId == null
                        ? null
                        : new TargetTable.CommitMarker(committableId, "job", 0, 0, 0));
    }

    private long count(String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void appliesRelationsTogetherAndSkipsThoseWhoseMarkerIsThere() throws Exception {
        TargetTransaction.Outcome first =
                transaction.apply(
                        target,
                        Arrays.asList(staged("staged_a", "c1"), staged("staged_b", "c2")),
                        null);
        assertThat(first.rows).isEqualTo(3);
        assertThat(first.committed).isTrue();
        assertThat(first.skipped).isEmpty();

        TargetTransaction.Outcome replay =
                transaction.apply(
                        target,
                        Arrays.asList(staged("staged_a", "c1"), staged("staged_b", "c3")),
                        null);
        assertThat(replay.rows).isEqualTo(1);
        assertThat(replay.skipped).containsExactly("c1");
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(4);
        assertThat(count("SELECT count(*) FROM _flink_duckdb_commits")).isEqualTo(3);
    }

    @Test
    void commitsNothingWhenEveryRelationWasAppliedBefore() throws Exception {
        transaction.apply(target, Collections.singletonList(staged("staged_a", "c1")), null);
        List<String> checked = new java.util.ArrayList<>();
        TargetTransaction.Outcome replay =
                transaction.apply(
                        target,
                        Collections.singletonList(staged("staged_a", "c1")),
                        column -> checked.add(column.name()));
        assertThat(replay.committed).isFalse();
        assertThat(replay.rows).isZero();
        assertThat(checked).as("a skipped relation's columns are not checked").isEmpty();
        assertThat(count("SELECT count(*) FROM items")).isEqualTo(2);
    }

    @Test
    void rollsBackEveryRelationWhenOneFails() throws Exception {
        assertThatThrownBy(
                        () ->
                                transaction.apply(
                                        target,
                                        Arrays.asList(
                                                staged("staged_a", "c1"),
                                                staged("no_such_table", "c2")),
                                        null))
                .isInstanceOf(SQLException.class);
        assertThat(count("SELECT count(*) FROM items")).isZero();
        assertThat(count("SELECT count(*) FROM _flink_duckdb_commits")).isZero();
        // The connection is usable again: the failed transaction was rolled back.
        assertThat(transaction.apply(target, staged("staged_b", null))).isEqualTo(1);
    }
}
