package io.github.flinkduckdb.table;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.source.DuckDBScanQuery;
import io.github.flinkduckdb.testing.DatabaseLockHolder;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which failed lookups {@link DuckDBLookupFunction} retries: only transient ones. */
class DuckDBLookupFunctionTest {

    /** With this many retries, retrying once would take 200 ms, all of them over 50 s. */
    private static final int MANY_RETRIES = 10;

    @TempDir Path dir;
    private Path file;

    @BeforeEach
    void createTable() {
        file = dir.resolve("dim.duckdb");
        DuckDBTestDatabase.at(file)
                .execute(
                        "CREATE TABLE customers (id BIGINT, name VARCHAR)",
                        "INSERT INTO customers VALUES (10, 'ada')");
    }

    private DuckDBLookupFunction lookupOf(String... columns) {
        List<RowType.RowField> fields = new ArrayList<>();
        for (String column : columns) {
            LogicalType type =
                    column.equals("id")
                            ? new BigIntType()
                            : column.equals("name")
                                    ? new VarCharType(VarCharType.MAX_LENGTH)
                                    : new IntType();
            fields.add(new RowType.RowField(column, type));
        }
        DuckDBLookupFunction lookup =
                new DuckDBLookupFunction(
                        DuckDBConnectionProvider.of("jdbc:duckdb:" + file),
                        new DuckDBScanQuery(
                                TableIdentifier.parse("customers"), new RowType(fields), null, -1),
                        Collections.singletonList("id"),
                        Collections.singletonList(new BigIntType()),
                        MANY_RETRIES);
        // No runtime context: the metric group is a no-op one.
        lookup.open(new FunctionContext(null));
        return lookup;
    }

    @Test
    void aMissingColumnFailsAtOnceWithDuckDBsMessage() {
        DuckDBLookupFunction lookup = lookupOf("id", "name", "tier");
        long started = System.nanoTime();
        assertThatThrownBy(() -> lookup.lookup(GenericRowData.of(10L)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("in table customers")
                .hasMessageContaining("Binder Error")
                .hasMessageContaining("tier");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(millis).as("no retry: a single one would wait 200 ms first").isLessThan(5_000);
        lookup.close();
    }

    @Test
    void aLockHeldByAnotherProcessIsWaitedOut() throws Exception {
        DuckDBLookupFunction lookup = lookupOf("id", "name");
        Collection<RowData> rows;
        long millis;
        try (DatabaseLockHolder holder = DatabaseLockHolder.hold(file)) {
            CompletableFuture<Void> release =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    Thread.sleep(1_000);
                                    holder.close();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            long started = System.nanoTime();
            rows = lookup.lookup(GenericRowData.of(10L));
            millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            release.get(30, TimeUnit.SECONDS);
        }
        assertThat(rows).hasSize(1);
        assertThat(rows.iterator().next().getString(1).toString()).isEqualTo("ada");
        assertThat(millis).as("waited for the holder to let go").isGreaterThanOrEqualTo(1_000);
        lookup.close();
    }
}
