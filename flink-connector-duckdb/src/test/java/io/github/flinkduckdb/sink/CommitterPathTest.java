package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.testing.DatabaseLockHolder;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exactly-once path: writers seal committables without opening the database; the committer
 * applies them once, however often they are replayed.
 */
class CommitterPathTest {

    @TempDir Path dir;
    private DuckDBTestDatabase db;
    private final DuckDBCommittableSerializer serializer = new DuckDBCommittableSerializer();

    @BeforeEach
    void createTable() {
        db = DuckDBTestDatabase.at(dir.resolve("lake.duckdb"));
        db.execute("CREATE TABLE events (id BIGINT, kind VARCHAR)");
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private DuckDBSinkBuilder<Tuple2<String, List<Map<String, Object>>>> exactlyOnce() {
        return DuckDBSink.forKeyedBatches(db.url(), "events")
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE);
    }

    private List<DuckDBCommittable> throughState(List<DuckDBCommittable> committables)
            throws Exception {
        List<DuckDBCommittable> restored = new ArrayList<>();
        for (DuckDBCommittable c : committables) {
            restored.add(serializer.deserialize(serializer.getVersion(), serializer.serialize(c)));
        }
        return restored;
    }

    @Test
    void writerSealsRowsThatOnlyTheCommitterWrites() throws Exception {
        List<DuckDBCommittable> committables;
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(exactlyOnce().build())) {
            h.write(Tuple2.of("b1", Arrays.asList(row("id", 1L, "kind", "a"), row("id", 2L))));
            committables = h.checkpoint();
            assertThat(committables).hasSize(1);
            assertThat(committables.get(0).rowCount()).isEqualTo(2);
            assertThat(committables.get(0).format())
                    .isEqualTo(DuckDBCommittable.PayloadFormat.PARQUET);
            assertThat(db.count("SELECT count(*) FROM events")).isZero();
            List<SinkHarness.Request> requests = h.commit(throughState(committables));
            assertThat(requests.get(0).alreadyCommitted).isFalse();
        }
        assertThat(db.strings("SELECT id || ':' || coalesce(kind, '-') FROM events ORDER BY id"))
                .containsExactly("1:a", "2:-");
        assertThat(db.strings("SELECT committable_id FROM _flink_duckdb_commits"))
                .containsExactly(committables.get(0).id());
    }

    @Test
    void replayedCommittablesAreSkipped() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink = exactlyOnce().build();
        List<DuckDBCommittable> committables;
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(sink)) {
            h.write(Tuple2.of("b1", Collections.singletonList(row("id", 1L))));
            committables = throughState(h.checkpoint());
            h.commit(committables);
        }
        // After a restore, Flink hands the committer the same committables again.
        DuckDBCommitter restarted = SinkHarness.newCommitter(sink);
        SinkHarness.Request replay = new SinkHarness.Request(throughState(committables).get(0));
        restarted.commit(Collections.singletonList(replay));
        restarted.close();
        assertThat(replay.alreadyCommitted).isTrue();
        assertThat(db.count("SELECT count(*) FROM events")).isEqualTo(1);
    }

    @Test
    void committablesOfOneCheckpointCommitTogetherAndSkipOnlyTheReplayedOnes() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink =
                exactlyOnce().setMaxBufferedRows(2).build();
        List<DuckDBCommittable> committables;
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(sink)) {
            for (long i = 0; i < 6; i++) {
                h.write(Tuple2.of("b" + i, Collections.singletonList(row("id", i))));
            }
            committables = throughState(h.checkpoint());
        }
        assertThat(committables).hasSize(3);
        // The first committable landed before a failure; after the restore all three come back.
        DuckDBCommitter first = SinkHarness.newCommitter(sink);
        first.commit(Collections.singletonList(new SinkHarness.Request(committables.get(0))));
        first.close();
        DuckDBCommitter restarted = SinkHarness.newCommitter(sink);
        List<SinkHarness.Request> replay = new ArrayList<>();
        for (DuckDBCommittable c : committables) {
            replay.add(new SinkHarness.Request(c));
        }
        restarted.commit(new ArrayList<>(replay));
        restarted.close();
        assertThat(replay).extracting(r -> r.alreadyCommitted).containsExactly(true, false, false);
        assertThat(db.strings("SELECT id FROM events ORDER BY id"))
                .containsExactly("0", "1", "2", "3", "4", "5");
        assertThat(db.count("SELECT count(*) FROM _flink_duckdb_commits")).isEqualTo(3);
    }

    @Test
    void aFailingCommittableRollsBackTheOthersOfItsCheckpoint() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink =
                exactlyOnce().setMaxBufferedRows(1).build();
        List<DuckDBCommittable> committables;
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(sink)) {
            h.write(Tuple2.of("b1", Collections.singletonList(row("id", 1L))));
            h.write(Tuple2.of("b2", Collections.singletonList(row("id", 2L, "kind", "x"))));
            committables = throughState(h.checkpoint());
        }
        assertThat(committables).hasSize(2);
        db.execute("ALTER TABLE events ALTER COLUMN kind SET DATA TYPE INTEGER");
        DuckDBCommitter committer = SinkHarness.newCommitter(sink);
        List<SinkHarness.Request> requests = new ArrayList<>();
        for (DuckDBCommittable c : committables) {
            requests.add(new SinkHarness.Request(c));
        }
        assertThatThrownBy(() -> committer.commit(new ArrayList<>(requests)))
                .isInstanceOf(DuckDBSinkException.class)
                .hasMessageContaining("2 rows (2 committables from subtasks [0]")
                .hasMessageContaining("to table events");
        committer.close();
        assertThat(db.count("SELECT count(*) FROM events"))
                .as("nothing of the checkpoint is visible")
                .isZero();
        assertThat(db.count("SELECT count(*) FROM _flink_duckdb_commits")).isZero();
    }

    @Test
    void sealsAChunkWhenTheBufferIsFull() throws Exception {
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(exactlyOnce().setMaxBufferedRows(2).build())) {
            for (long i = 0; i < 5; i++) {
                h.write(Tuple2.of("b" + i, Collections.singletonList(row("id", i))));
            }
            List<DuckDBCommittable> committables = h.checkpoint();
            assertThat(committables)
                    .extracting(DuckDBCommittable::rowCount)
                    .containsExactly(2L, 2L, 1L);
            assertThat(committables)
                    .extracting(DuckDBCommittable::sequence)
                    .containsExactly(0L, 1L, 2L);
            h.commit(committables);
        }
        assertThat(db.count("SELECT count(DISTINCT id) FROM events")).isEqualTo(5);
    }

    @Test
    void deduplicatesBatchesAcrossWriters() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink =
                exactlyOnce().setBatchDeduplication(true).build();
        List<DuckDBCommittable> all = new ArrayList<>();
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> a =
                        SinkHarness.committerPath(sink);
                SinkHarness<Tuple2<String, List<Map<String, Object>>>> b =
                        SinkHarness.committerPath(sink)) {
            a.write(Tuple2.of("shared", Arrays.asList(row("id", 1L), row("id", 2L))));
            b.write(Tuple2.of("shared", Arrays.asList(row("id", 1L), row("id", 2L))));
            b.write(Tuple2.of("only-b", Collections.singletonList(row("id", 3L))));
            all.addAll(a.checkpoint());
            all.addAll(b.checkpoint());
            a.commit(all);
        }
        assertThat(db.strings("SELECT id FROM events ORDER BY id")).containsExactly("1", "2", "3");
    }

    @Test
    void createsTheTableFromTheStatementWithoutOpeningTheDatabaseInWriters() throws Exception {
        DuckDBTestDatabase fresh = DuckDBTestDatabase.at(dir.resolve("fresh.duckdb"));
        DuckDBSink<Map<String, Object>> sink =
                DuckDBSink.forMaps(fresh.url(), "analytics.hits")
                        .setCreateTableSql(
                                "CREATE SCHEMA IF NOT EXISTS analytics; CREATE TABLE analytics.hits (url VARCHAR NOT NULL, n HUGEINT)")
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .build();
        try (SinkHarness<Map<String, Object>> h = SinkHarness.committerPath(sink)) {
            h.write(row("url", "/", "n", BigInteger.ONE.shiftLeft(100)));
            List<DuckDBCommittable> committables = h.checkpoint();
            assertThat(Files.exists(dir.resolve("fresh.duckdb")))
                    .as("writers never create or open the database")
                    .isFalse();
            assertThat(committables.get(0).format())
                    .as("HUGEINT does not survive Parquet, so the payload is a DuckDB file")
                    .isEqualTo(DuckDBCommittable.PayloadFormat.DUCKDB);
            h.commit(throughState(committables));
        }
        assertThat(fresh.strings("SELECT url || n FROM analytics.hits"))
                .containsExactly("/1267650600228229401496703205376");
    }

    @Test
    void learnsTheSchemaWhileAnotherProcessReadsTheFileWithoutTakingTheWriteLock()
            throws Exception {
        Path file = dir.resolve("lake.duckdb");
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink = exactlyOnce().build();
        List<DuckDBCommittable> committables;
        try (DatabaseLockHolder reader = DatabaseLockHolder.holdReadOnly(file)) {
            assertThatThrownBy(() -> DuckDBConnectionProvider.of(db.url()).open().close())
                    .as("the reader keeps every other process from writing the file")
                    .hasMessageContaining("Could not set lock on file");
            // Building the job reads the table's columns read-only; the writers never open it.
            try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                    SinkHarness.committerPath(sink)) {
                assertThat(sink.declaredSchema().columns())
                        .extracting(ColumnSchema::name)
                        .containsExactly("id", "kind");
                h.write(Tuple2.of("b1", Collections.singletonList(row("id", 1L, "kind", "a"))));
                committables = throughState(h.checkpoint());
            }
        }
        // The reader is gone: the committer writes.
        DuckDBCommitter committer = SinkHarness.newCommitter(sink);
        committer.commit(Collections.singletonList(new SinkHarness.Request(committables.get(0))));
        committer.close();
        assertThat(db.strings("SELECT id || kind FROM events")).containsExactly("1a");
    }

    @Test
    void aMissingTableWithoutCreateStatementFailsWhenTheJobIsBuilt() {
        DuckDBSink<Map<String, Object>> sink =
                DuckDBSink.forMaps(db.url(), "nope")
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .build();
        assertThatThrownBy(() -> sink.settle("remote", 2))
                .isInstanceOf(DuckDBSinkException.class)
                .hasMessageStartingWith("Table nope does not exist in DuckDB file ")
                .hasMessageContaining("setCreateTableSql");
    }

    @Test
    void evolvesTheTableInTheCommitter() throws Exception {
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(
                        exactlyOnce().setUnknownColumnPolicy(UnknownColumnPolicy.EVOLVE).build())) {
            h.write(Tuple2.of("b1", Arrays.asList(row("id", 1L), row("id", 2L, "score", 0.5))));
            h.commit(h.checkpoint());
        }
        assertThat(
                        db.strings(
                                "SELECT id || ':' || coalesce(CAST(score AS VARCHAR), '-') FROM events ORDER BY id"))
                .containsExactly("1:-", "2:0.5");
    }

    @Test
    void failsWithoutDroppingTheCommittableWhenTheTableLacksAColumn() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink = exactlyOnce().build();
        List<DuckDBCommittable> committables;
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(sink)) {
            h.write(Tuple2.of("b1", Collections.singletonList(row("id", 1L, "kind", "x"))));
            committables = throughState(h.checkpoint());
        }
        db.execute("ALTER TABLE events DROP COLUMN kind");
        DuckDBCommitter committer = SinkHarness.newCommitter(sink);
        SinkHarness.Request request = new SinkHarness.Request(committables.get(0));
        assertThatThrownBy(() -> committer.commit(Collections.singletonList(request)))
                .isInstanceOf(DuckDBSinkException.class)
                .hasMessageContaining("Table lake.main.events has no column 'kind'");
        assertThat(request.failed).as("the committable is not discarded").isNull();
        committer.close();
        // Once the table is fixed, the same committable (kept in Flink state) commits.
        db.execute("ALTER TABLE events ADD COLUMN kind VARCHAR");
        DuckDBCommitter again = SinkHarness.newCommitter(sink);
        again.commit(Collections.singletonList(new SinkHarness.Request(committables.get(0))));
        again.close();
        assertThat(db.strings("SELECT kind FROM events")).containsExactly("x");
    }

    @Test
    void appendedRowsJoinOnlyAnExplicitlyBegunTransaction() throws Exception {
        // The driver behaviour the staging design works around (docs/architecture.md):
        // setAutoCommit(false) alone does not put appended rows in a transaction.
        try (Connection c = DriverManager.getConnection(db.url());
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try (DuckDBAppender a =
                    c.unwrap(DuckDBConnection.class).createAppender("main", "events")) {
                a.beginRow().append(1L).append("x").endRow();
            }
            c.rollback();
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
                rs.next();
                assertThat(rs.getLong(1))
                        .as("rows appended without BEGIN survive a rollback")
                        .isEqualTo(1);
            }
            c.setAutoCommit(true);
            st.execute("DELETE FROM events");
            st.execute("BEGIN TRANSACTION");
            try (DuckDBAppender a =
                    c.unwrap(DuckDBConnection.class).createAppender("main", "events")) {
                a.beginRow().append(2L).append("y").endRow();
            }
            st.execute("ROLLBACK");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM events")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows appended after BEGIN roll back").isZero();
            }
        }
    }
}
