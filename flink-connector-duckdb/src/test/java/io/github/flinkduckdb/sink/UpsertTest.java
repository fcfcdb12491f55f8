package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.sink.internal.TargetTable;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upserts by key ({@link DuckDBSinkBuilder#setUpsertKey}): changes reduced by key and applied
 * set-based, on both write paths, with and without a primary key constraint on the table.
 */
class UpsertTest {

    @TempDir Path dir;

    private DuckDBTestDatabase db(String ddl) {
        DuckDBTestDatabase db = DuckDBTestDatabase.at(dir.resolve("upsert.duckdb"));
        db.execute(ddl);
        return db;
    }

    private static Row change(RowKind kind, long id, String value) {
        return Row.ofKind(kind, id, value);
    }

    private static List<String> contents(DuckDBTestDatabase db) {
        return db.strings("SELECT id || '=' || coalesce(v, 'null') FROM items ORDER BY id");
    }

    private static Row[] changelog() {
        return new Row[] {
            change(RowKind.INSERT, 1, "a"),
            change(RowKind.INSERT, 2, "b"),
            change(RowKind.UPDATE_BEFORE, 1, "a"),
            change(RowKind.UPDATE_AFTER, 1, "a2"),
            change(RowKind.INSERT, 3, "c"),
            change(RowKind.DELETE, 2, "b"),
            change(RowKind.UPDATE_AFTER, 4, "d"),
            change(RowKind.DELETE, 4, "d"),
            change(RowKind.UPDATE_AFTER, 4, "d2"),
            change(RowKind.INSERT, 5, "e"),
            change(RowKind.DELETE, 5, "e")
        };
    }

    @Test
    void directWritesReduceByKeyAndUpsertIntoAPrimaryKeyTable() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT PRIMARY KEY, v VARCHAR)");
        // Key 4 exists: its changes (update, delete, update) delete and re-insert it in one
        // transaction under the primary key.
        db.execute("INSERT INTO items VALUES (3, 'old'), (4, 'old'), (9, 'kept')");
        try (SinkHarness<Row> h =
                SinkHarness.direct(
                        DuckDBSink.forRows(db.url(), "items").setUpsertKey("id").build())) {
            h.write(changelog());
            h.checkpoint();
        }
        assertThat(contents(db)).containsExactly("1=a2", "3=c", "4=d2", "9=kept");
    }

    @Test
    void tableWithoutPrimaryKeyIsUpsertedByDeleteThenInsert() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT, v VARCHAR)");
        db.execute("INSERT INTO items VALUES (1, 'old'), (1, 'older'), (2, 'gone'), (9, 'kept')");
        try (SinkHarness<Row> h =
                SinkHarness.direct(
                        DuckDBSink.forRows(db.url(), "items").setUpsertKey("ID").build())) {
            h.write(changelog());
            h.checkpoint();
        }
        assertThat(contents(db)).containsExactly("1=a2", "3=c", "4=d2", "9=kept");
    }

    @Test
    void changesOfOneKeyInSeveralFlushesKeepTheLastOne() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT PRIMARY KEY, v VARCHAR)");
        try (SinkHarness<Row> h =
                SinkHarness.direct(
                        DuckDBSink.forRows(db.url(), "items").setUpsertKey("id").build())) {
            h.write(change(RowKind.INSERT, 1, "a"));
            h.checkpoint();
            h.write(change(RowKind.UPDATE_AFTER, 1, "b"), change(RowKind.UPDATE_AFTER, 1, "c"));
            h.checkpoint();
            assertThat(contents(db)).containsExactly("1=c");
            h.write(change(RowKind.DELETE, 1, "c"));
            h.checkpoint();
        }
        assertThat(db.count("SELECT count(*) FROM items")).isZero();
    }

    @Test
    void deletionsNeedOnlyTheKey() throws Exception {
        DuckDBTestDatabase db =
                db("CREATE TABLE items (id BIGINT PRIMARY KEY, v VARCHAR NOT NULL, n INTEGER)");
        db.execute("INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 2)");
        try (SinkHarness<Row> h =
                SinkHarness.direct(
                        DuckDBSink.forRows(db.url(), "items").setUpsertKey("id").build())) {
            h.write(Row.ofKind(RowKind.DELETE, 1L, null, null));
            h.checkpoint();
        }
        assertThat(db.strings("SELECT id FROM items")).containsExactly("2");
    }

    @Test
    void typedRowsCarryTheirKind() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT PRIMARY KEY, v VARCHAR)");
        db.execute("INSERT INTO items VALUES (7, 'x')");
        RowWriter<Row> typed =
                new RowWriter<Row>() {
                    @Override
                    public RowKind kind(Row row) {
                        return row.getKind();
                    }

                    @Override
                    public void write(Row row, DuckDBRowAppender out) {
                        out.append((Long) row.getField(0)).append((String) row.getField(1));
                    }
                };
        try (SinkHarness<Row> h =
                SinkHarness.direct(
                        DuckDBSink.forRowWriter(db.url(), "items", typed)
                                .setUpsertKey("id")
                                .build())) {
            h.write(changelog());
            h.write(change(RowKind.DELETE, 7, "x"));
            h.checkpoint();
        }
        assertThat(contents(db)).containsExactly("1=a2", "3=c", "4=d2");
    }

    @Test
    void committerPathAppliesUpsertsOnceEvenWhenReplayed() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT PRIMARY KEY, v VARCHAR)");
        db.execute("INSERT INTO items VALUES (2, 'old'), (4, 'old')");
        DuckDBCommittableSerializer serializer = new DuckDBCommittableSerializer();
        try (SinkHarness<Row> h =
                SinkHarness.committerPath(
                        DuckDBSink.forRows(db.url(), "items")
                                .setUpsertKey("id")
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .build())) {
            h.write(changelog());
            List<DuckDBCommittable> sealed = h.checkpoint();
            assertThat(sealed).hasSize(1);
            assertThat(sealed.get(0).upsertKey()).containsExactly("id");
            assertThat(db.strings("SELECT v FROM items")).containsExactly("old", "old");
            List<DuckDBCommittable> restored = new ArrayList<>();
            for (DuckDBCommittable c : sealed) {
                restored.add(
                        serializer.deserialize(serializer.getVersion(), serializer.serialize(c)));
            }
            assertThat(restored).isEqualTo(sealed);
            h.commit(restored);
            assertThat(contents(db)).containsExactly("1=a2", "3=c", "4=d2");
            List<SinkHarness.Request> replay = h.commit(restored);
            assertThat(replay.get(0).alreadyCommitted).isTrue();
        }
        assertThat(contents(db)).containsExactly("1=a2", "3=c", "4=d2");
    }

    @Test
    void committerPathUpsertsIntoATableWithoutPrimaryKey() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT, v VARCHAR)");
        db.execute("INSERT INTO items VALUES (2, 'old'), (1, 'old')");
        try (SinkHarness<Row> h =
                SinkHarness.committerPath(
                        DuckDBSink.forRows(db.url(), "items")
                                .setUpsertKey("id")
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .build())) {
            h.write(changelog());
            h.commit(h.checkpoint());
        }
        assertThat(contents(db)).containsExactly("1=a2", "3=c", "4=d2");
    }

    @Test
    void appendingSinkRejectsDeletionsNamingTheTable() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT, v VARCHAR)");
        try (SinkHarness<Row> h =
                SinkHarness.direct(DuckDBSink.forRows(db.url(), "items").build())) {
            assertThatThrownBy(() -> h.write(change(RowKind.DELETE, 1, "a")))
                    .isInstanceOf(DuckDBSinkException.class)
                    .hasMessageContaining("Row of kind DELETE for table")
                    .hasMessageContaining("items")
                    .hasMessageContaining("upsert key");
        }
    }

    @Test
    void upsertKeyMustBeAColumnOfTheTable() {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT, v VARCHAR)");
        assertThatThrownBy(
                        () ->
                                SinkHarness.direct(
                                        DuckDBSink.forRows(db.url(), "items")
                                                .setUpsertKey("sku")
                                                .build()))
                .isInstanceOf(DuckDBSinkException.class)
                .hasMessageContaining("Upsert key column 'sku' is not a column of table")
                .hasMessageContaining("[id, v]");
    }

    @Test
    void builderRejectsBadUpsertKeys() {
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forRows("jdbc:duckdb:/tmp/x.duckdb", "t")
                                        .setUpsertKey("id", "ID")
                                        .build())
                .hasMessageContaining("names column 'ID' twice");
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forRows("jdbc:duckdb:/tmp/x.duckdb", "t")
                                        .setUpsertKey("id")
                                        .setBatchDeduplication(true)
                                        .build())
                .hasMessageContaining("cannot be combined with setUpsertKey");
    }

    @Test
    void insertOrReplaceOnlyWhenThePrimaryKeyIsTheUpsertKey() {
        assertThat(TargetTable.upsertStrategy(Arrays.asList("ID"), Arrays.asList("id")))
                .isEqualTo(TargetTable.UpsertStrategy.INSERT_OR_REPLACE);
        assertThat(TargetTable.upsertStrategy(Arrays.asList("a", "b"), Arrays.asList("b", "a")))
                .isEqualTo(TargetTable.UpsertStrategy.INSERT_OR_REPLACE);
        assertThat(TargetTable.upsertStrategy(Collections.emptyList(), Arrays.asList("id")))
                .isEqualTo(TargetTable.UpsertStrategy.DELETE_THEN_INSERT);
        assertThat(TargetTable.upsertStrategy(Arrays.asList("a", "b"), Arrays.asList("a")))
                .isEqualTo(TargetTable.UpsertStrategy.DELETE_THEN_INSERT);
    }

    @Test
    void version1CommittablesAreReadAsAppends() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        writeString(out, "c-1");
        out.writeBoolean(false);
        out.writeInt(0);
        out.writeInt(0);
        out.writeLong(3);
        out.writeLong(1);
        out.writeByte(DuckDBCommittable.PayloadFormat.PARQUET.ordinal());
        out.writeInt(1);
        writeString(out, "id");
        writeString(out, "BIGINT");
        out.writeBoolean(true);
        out.writeBoolean(false);
        out.writeInt(2);
        out.write(new byte[] {1, 2});
        DuckDBCommittable c =
                new DuckDBCommittableSerializer().deserialize(1, out.getCopyOfBuffer());
        assertThat(c.id()).isEqualTo("c-1");
        assertThat(c.upsertKey()).isEmpty();
        assertThat(c.columns())
                .containsExactly(ColumnSchema.of("id", DuckDBType.of(DuckDBType.Id.BIGINT)));
        assertThat(c.payload()).containsExactly(1, 2);
    }

    private static void writeString(DataOutputSerializer out, String s) throws Exception {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    @Test
    void deleteThenInsertOfTheSameKeysInOneTransactionWorksUnderAPrimaryKey() throws Exception {
        // DuckDB 2.0 accepts deleting a key and inserting it again in one transaction where the key
        // has a PRIMARY KEY constraint, so DELETE_THEN_INSERT is safe on any table.
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT PRIMARY KEY, v VARCHAR)");
        db.execute("INSERT INTO items VALUES (1, 'old'), (2, 'old'), (3, 'kept')");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.url());
                java.sql.Statement st = c.createStatement()) {
            st.execute(
                    "CREATE TEMP TABLE staged AS SELECT * FROM (VALUES "
                            + "(1, 'a', false, 0), (1, 'b', false, 1), (2, 'x', false, 2), (2, NULL, true, 3), "
                            + "(4, 'new', false, 4)) v(id, v, \"__flink_duckdb_op\", \"__flink_duckdb_seq\")");
            TargetTable target =
                    new TargetTable(
                            c, io.github.flinkduckdb.schema.TableIdentifier.parse("main.items"));
            TargetTable.begin(c);
            long written =
                    target.upsert(
                            "temp.main.staged",
                            Arrays.asList("\"id\"", "\"v\""),
                            Arrays.asList("s.\"id\"", "s.\"v\""),
                            Arrays.asList("id"),
                            TargetTable.UpsertStrategy.DELETE_THEN_INSERT,
                            null);
            TargetTable.commit(c);
            assertThat(written).isEqualTo(2);
        }
        assertThat(contents(db)).containsExactly("1=b", "3=kept", "4=new");
    }

    @Test
    void uniqueConstraintWithoutPrimaryKeyIsUpsertedByDeleteThenInsert() throws Exception {
        DuckDBTestDatabase db = db("CREATE TABLE items (id BIGINT UNIQUE, v VARCHAR)");
        db.execute("INSERT INTO items VALUES (1, 'old'), (2, 'old')");
        try (SinkHarness<Row> h =
                SinkHarness.direct(
                        DuckDBSink.forRows(db.url(), "items").setUpsertKey("id").build())) {
            h.write(changelog());
            h.checkpoint();
        }
        assertThat(contents(db)).containsExactly("1=a2", "3=c", "4=d2");
    }
}
