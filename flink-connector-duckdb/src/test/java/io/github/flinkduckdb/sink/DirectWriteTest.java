package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Writers that commit to the database themselves: buffering, flushing, batches, columns. */
class DirectWriteTest {

    @TempDir Path dir;
    private DuckDBTestDatabase db;

    @BeforeEach
    void createTable() {
        db = DuckDBTestDatabase.at(dir.resolve("shop.duckdb"));
        db.execute(
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR, amount DOUBLE, "
                        + "status VARCHAR DEFAULT 'new')");
    }

    /** Polls until the query returns {@code expected}: background flushes land asynchronously. */
    private void awaitCount(String sql, long expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (db.count(sql) != expected) {
            assertThat(System.currentTimeMillis()).as(sql + " = " + expected).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Tuple2<String, List<Map<String, Object>>> batch(
            String id, List<Map<String, Object>> rows) {
        return Tuple2.of(id, rows);
    }

    @Test
    void writersOfOneJobCreateTheTableAndMarkersAtTheSameMomentWithoutFailing() throws Exception {
        for (int round = 0; round < 10; round++) {
            DuckDBTestDatabase fresh =
                    DuckDBTestDatabase.at(dir.resolve("race-" + round + ".duckdb"));
            DuckDBSink<Map<String, Object>> sink =
                    DuckDBSink.forMaps(fresh.url(), "events")
                            .setCreateTableSql("CREATE TABLE events (id BIGINT)")
                            .setBatchDeduplication(true)
                            .build();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(4);
            List<java.util.concurrent.CompletableFuture<Void>> writers =
                    new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                long id = w;
                writers.add(
                        java.util.concurrent.CompletableFuture.runAsync(
                                () -> {
                                    try {
                                        start.await();
                                        try (SinkHarness<Map<String, Object>> h =
                                                SinkHarness.direct(sink)) {
                                            h.write(row("id", id));
                                            h.checkpoint();
                                        }
                                    } catch (Exception e) {
                                        throw new java.util.concurrent.CompletionException(e);
                                    }
                                }));
            }
            for (java.util.concurrent.CompletableFuture<Void> w : writers) {
                w.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(fresh.count("SELECT count(DISTINCT id) FROM events")).isEqualTo(4);
        }
    }

    @Test
    void directWritesRunDuckDBWithOneThreadUnlessTheUserSetsIt() throws Exception {
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(DuckDBSink.forMaps(db.url(), "orders").build())) {
            h.write(row("id", 1L));
            h.checkpoint();
            assertThat(db.strings("SELECT current_setting('threads')")).containsExactly("1");
        }
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(db.url(), "orders")
                                .setDuckDBSetting("THREADS", "2")
                                .build())) {
            h.write(row("id", 2L));
            h.checkpoint();
            assertThat(db.strings("SELECT current_setting('threads')")).containsExactly("2");
        }
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(2);
    }

    @Test
    void keyedBatchIsVisibleOnlyAfterFlush() throws Exception {
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.direct(
                        DuckDBSink.forKeyedBatches(db.url(), "orders")
                                .setFlushInterval(Duration.ZERO)
                                .build())) {
            h.write(
                    batch(
                            "b1",
                            Arrays.asList(
                                    row("id", 1L, "customer", "ann", "amount", 9.5),
                                    row("id", 2L, "customer", "bob", "amount", 1.25))));
            assertThat(db.count("SELECT count(*) FROM orders")).isZero();
            h.checkpoint();
            assertThat(db.rows("SELECT id, customer, amount, status FROM orders ORDER BY id"))
                    .containsExactly(
                            row("id", 1L, "customer", "ann", "amount", 9.5, "status", "new"),
                            row("id", 2L, "customer", "bob", "amount", 1.25, "status", "new"));
        }
    }

    @Test
    void matchesKeysCaseInsensitivelyAndFillsMissingWithDefaultOrNull() throws Exception {
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(DuckDBSink.forMaps(db.url(), "ORDERS").build())) {
            h.write(row("ID", 7L, "Customer", "cy"), row("id", 8L, "status", null));
            h.checkpoint();
        }
        assertThat(db.rows("SELECT id, customer, amount, status FROM orders ORDER BY id"))
                .containsExactly(
                        row("id", 7L, "customer", "cy", "amount", null, "status", "new"),
                        row("id", 8L, "customer", null, "amount", null, "status", null));
    }

    @Test
    void flushesWhenTheBufferIsFull() throws Exception {
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(db.url(), "orders")
                                .setMaxBufferedRows(3)
                                .setFlushInterval(Duration.ZERO)
                                .build())) {
            for (long i = 0; i < 7; i++) {
                h.write(row("id", i));
            }
            // Full buffers are flushed in the background.
            awaitCount("SELECT count(*) FROM orders", 6);
            h.endInput();
            assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(7);
        }
    }

    @Test
    void flushesWhenTheIntervalPasses() throws Exception {
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(db.url(), "orders")
                                .setFlushInterval(Duration.ofSeconds(2))
                                .build())) {
            h.write(row("id", 1L));
            h.advanceTime(1_000);
            assertThat(db.count("SELECT count(*) FROM orders")).isZero();
            h.advanceTime(1_000);
            awaitCount("SELECT count(*) FROM orders", 1);
        }
    }

    @Test
    void batchWithOneBadRowLeavesNoneOfItsRows() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink =
                DuckDBSink.forKeyedBatches(db.url(), "orders").build();
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h = SinkHarness.direct(sink)) {
            h.write(batch("good", Collections.singletonList(row("id", 1L))));
            h.checkpoint();
            assertThatThrownBy(
                            () ->
                                    h.write(
                                            batch(
                                                    "bad",
                                                    Arrays.asList(
                                                            row("id", 2L),
                                                            row("id", 3L, "amount", "lots"),
                                                            row("id", 4L)))))
                    .isInstanceOf(ValueConversionException.class)
                    .hasMessageContaining("column 'amount' (DOUBLE)")
                    .hasMessageContaining("table shop.main.orders")
                    .hasMessageContaining("batch 'bad'")
                    .hasMessageContaining("java.lang.String");
        }
        // The job fails at this point; the staged rows of batch 'bad' never reach the table.
        assertThat(db.strings("SELECT id FROM orders ORDER BY id")).containsExactly("1");
    }

    @Test
    void unknownColumnFailsByDefault() throws Exception {
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.direct(DuckDBSink.forKeyedBatches(db.url(), "orders").build())) {
            assertThatThrownBy(
                            () ->
                                    h.write(
                                            batch(
                                                    "b7",
                                                    Collections.singletonList(
                                                            row("id", 1L, "colour", "red")))))
                    .isInstanceOf(DuckDBSinkException.class)
                    .hasMessageContaining(
                            "Unknown column 'colour' for table shop.main.orders in batch 'b7'")
                    .hasMessageContaining("[id, customer, amount, status]");
        }
    }

    @Test
    void unknownColumnIsDroppedWithIgnore() throws Exception {
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(db.url(), "orders")
                                .setUnknownColumnPolicy(UnknownColumnPolicy.IGNORE)
                                .build())) {
            h.write(row("id", 1L, "colour", "red"));
            h.checkpoint();
        }
        assertThat(db.count("SELECT count(*) FROM orders")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM duckdb_columns() WHERE column_name = 'colour'"))
                .isZero();
    }

    @Test
    void unknownColumnIsAddedWithEvolve() throws Exception {
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(db.url(), "orders")
                                .setUnknownColumnPolicy(UnknownColumnPolicy.EVOLVE)
                                .build())) {
            h.write(
                    row("id", 1L),
                    row("id", 2L, "colour", "red", "weight", 2.5, "tags", Arrays.asList("a", "b")));
            h.write(row("id", 3L, "colour", "blue"));
            h.checkpoint();
        }
        assertThat(
                        db.strings(
                                "SELECT column_name || ' ' || data_type FROM duckdb_columns() "
                                        + "WHERE table_name = 'orders' ORDER BY column_index"))
                .containsExactly(
                        "id BIGINT",
                        "customer VARCHAR",
                        "amount DOUBLE",
                        "status VARCHAR",
                        "colour VARCHAR",
                        "weight DOUBLE",
                        "tags VARCHAR[]");
        assertThat(
                        db.strings(
                                "SELECT id || ':' || coalesce(colour, '-') || ':' || coalesce(CAST(tags AS VARCHAR), '-') FROM orders ORDER BY id"))
                .containsExactly("1:-:-", "2:red:[a, b]", "3:blue:-");
    }

    @Test
    void rowsMatchByFieldNameOrPosition() throws Exception {
        try (SinkHarness<Row> h =
                SinkHarness.direct(DuckDBSink.forRows(db.url(), "orders").build())) {
            Row named = Row.withNames();
            named.setField("id", 1L);
            named.setField("customer", "ann");
            h.write(named, Row.of(2L, "bob", 3.0, "paid"));
            h.checkpoint();
            assertThatThrownBy(() -> h.write(Row.of(3L, "x")))
                    .hasMessageContaining(
                            "A Row with 2 fields cannot be written to table shop.main.orders with 4 columns");
        }
        assertThat(db.strings("SELECT id || customer || status FROM orders ORDER BY id"))
                .containsExactly("1annnew", "2bobpaid");
    }

    @Test
    void rowsThatWentThroughFlinksRowSerializerMatchByName() throws Exception {
        // A Row copied by RowSerializer keeps its names as "named positions".
        org.apache.flink.api.java.typeutils.RowTypeInfo type =
                new org.apache.flink.api.java.typeutils.RowTypeInfo(
                        new org.apache.flink.api.common.typeinfo.TypeInformation<?>[] {
                            org.apache.flink.api.common.typeinfo.Types.STRING,
                            org.apache.flink.api.common.typeinfo.Types.LONG
                        },
                        new String[] {"customer", "id"});
        org.apache.flink.api.common.typeutils.TypeSerializer<Row> serializer =
                type.createSerializer(
                        new org.apache.flink.api.common.ExecutionConfig().getSerializerConfig());
        Row copied =
                org.apache.flink.util.InstantiationUtil.deserializeFromByteArray(
                        serializer,
                        org.apache.flink.util.InstantiationUtil.serializeToByteArray(
                                serializer, Row.of("zed", 5L)));
        assertThat(copied.getFieldNames(false)).isNull();
        assertThat(copied.getFieldNames(true)).containsExactlyInAnyOrder("customer", "id");
        try (SinkHarness<Row> h =
                SinkHarness.direct(DuckDBSink.forRows(db.url(), "orders").build())) {
            h.write(copied);
            h.checkpoint();
        }
        assertThat(db.strings("SELECT id || customer || status FROM orders"))
                .containsExactly("5zednew");
    }

    @Test
    void skipsBatchesAlreadyCommittedWhenDeduplicating() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink =
                DuckDBSink.forKeyedBatches(db.url(), "orders").setBatchDeduplication(true).build();
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h = SinkHarness.direct(sink)) {
            h.write(batch("b1", Arrays.asList(row("id", 1L), row("id", 2L))));
            // the same batch again in the same buffer: skipped
            h.write(batch("b1", Arrays.asList(row("id", 1L), row("id", 2L))));
            h.checkpoint();
            // replayed after the commit: skipped by the marker table
            h.write(batch("b1", Arrays.asList(row("id", 1L), row("id", 2L))));
            h.write(batch("b2", Collections.singletonList(row("id", 3L))));
            h.write(batch("empty", new ArrayList<>()));
            h.checkpoint();
        }
        assertThat(db.strings("SELECT id FROM orders ORDER BY id")).containsExactly("1", "2", "3");
        assertThat(db.strings("SELECT batch_id FROM _flink_duckdb_batches ORDER BY batch_id"))
                .containsExactly("b1", "b2");
    }

    @Test
    void rejectsNullBatchIdAndNullRowList() throws Exception {
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.direct(DuckDBSink.forKeyedBatches(db.url(), "orders").build())) {
            assertThatThrownBy(() -> h.write(batch(null, Collections.singletonList(row("id", 1L)))))
                    .isInstanceOf(DuckDBSinkException.class)
                    .hasMessage(
                            "A keyed batch has a null batch id (field f0); every batch needs an id");
            assertThatThrownBy(() -> h.write(batch("b9", null)))
                    .hasMessage(
                            "Batch 'b9' has a null row list (field f1); send an empty list for no rows");
        }
    }

    @Test
    void emptyBatchWritesNothing() throws Exception {
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.direct(DuckDBSink.forKeyedBatches(db.url(), "orders").build())) {
            h.write(batch("nothing", new ArrayList<>()));
            h.checkpoint();
        }
        assertThat(db.count("SELECT count(*) FROM orders")).isZero();
    }

    @Test
    void typedRowWriterAppendsStraightToTheTable() throws Exception {
        RowWriter<long[]> writer =
                (r, row) ->
                        row.append(r[0]).append("c" + r[1]).append((double) r[1]).appendDefault();
        try (SinkHarness<long[]> h =
                SinkHarness.direct(DuckDBSink.forRowWriter(db.url(), "orders", writer).build())) {
            h.write(new long[] {1, 10}, new long[] {2, 20});
            h.checkpoint();
        }
        assertThat(db.strings("SELECT id || customer || amount || status FROM orders ORDER BY id"))
                .containsExactly("1c1010.0new", "2c2020.0new");
    }

    @Test
    void typedRowWriterNamesTheTableWhenColumnsAreMissing() throws Exception {
        RowWriter<Long> writer = (r, row) -> row.append(r.longValue());
        try (SinkHarness<Long> h =
                SinkHarness.direct(DuckDBSink.forRowWriter(db.url(), "orders", writer).build())) {
            assertThatThrownBy(() -> h.write(1L))
                    .hasMessage(
                            "A row for table shop.main.orders got 1 values but the table has 4 columns [id, customer, amount, status]");
        }
    }

    @Test
    void missingTableWithoutCreateStatementFails() {
        assertThatThrownBy(() -> SinkHarness.direct(DuckDBSink.forMaps(db.url(), "nope").build()))
                .isInstanceOf(DuckDBSinkException.class)
                .hasMessageContaining("Table shop.main.nope does not exist in DuckDB file ")
                .hasMessageContaining("setCreateTableSql");
    }

    @Test
    void createStatementRunsOnlyWhenTheTableIsMissing() throws Exception {
        String create = "CREATE TABLE events (id BIGINT, payload JSON)";
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(db.url(), "events").setCreateTableSql(create).build())) {
            Map<String, Object> nested = new HashMap<>();
            nested.put("a", 1);
            h.write(row("id", 1L, "payload", nested));
            h.checkpoint();
        }
        // A second sink finds the table and does not run the statement again (it would fail).
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(db.url(), "events").setCreateTableSql(create).build())) {
            h.write(row("id", 2L, "payload", "[1,2]"));
            h.checkpoint();
        }
        assertThat(db.strings("SELECT payload FROM events ORDER BY id"))
                .containsExactly("{\"a\":1}", "[1,2]");
    }

    @Test
    void createsTheDatabaseFileAndItsFolder() throws Exception {
        DuckDBTestDatabase fresh = DuckDBTestDatabase.at(dir.resolve("new/folder/fresh.duckdb"));
        try (SinkHarness<Map<String, Object>> h =
                SinkHarness.direct(
                        DuckDBSink.forMaps(fresh.url(), "t")
                                .setCreateTableSql("CREATE TABLE t (id BIGINT)")
                                .build())) {
            h.write(row("id", 1L));
            h.checkpoint();
        }
        assertThat(fresh.count("SELECT count(*) FROM t")).isEqualTo(1);
    }

    @Test
    void invalidCreateStatementFailsWithDuckDBsMessage() {
        assertThatThrownBy(
                        () ->
                                SinkHarness.direct(
                                        DuckDBSink.forMaps(db.url(), "events")
                                                .setCreateTableSql(
                                                        "CREATE TABLE events (id BIGINT,")
                                                .build()))
                .isInstanceOf(DuckDBSinkException.class)
                .hasMessageContaining("The create-table statement for table shop.main.events")
                .hasMessageContaining("Parser Error")
                .hasMessageContaining("Statement: CREATE TABLE events (id BIGINT,");
    }
}
