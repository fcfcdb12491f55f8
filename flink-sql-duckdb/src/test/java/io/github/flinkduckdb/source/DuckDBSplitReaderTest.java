package io.github.flinkduckdb.source;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.RetryPolicy;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The split reader: fetch-size batches, finished splits, and skipping rows after a restore. */
class DuckDBSplitReaderTest {

    @TempDir Path dir;

    private DuckDBSplitReader reader(int fetchSize) {
        Path file = dir.resolve("r.duckdb");
        DuckDBTestDatabase.at(file)
                .execute(
                        "CREATE TABLE t (id BIGINT PRIMARY KEY)",
                        "INSERT INTO t SELECT range FROM range(1, 11)");
        RowType type =
                (RowType) DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())).getLogicalType();
        return new DuckDBSplitReader(
                DuckDBConnectionProvider.of("jdbc:duckdb:" + file),
                new DuckDBScanQuery(TableIdentifier.parse("t"), type, null, -1),
                fetchSize,
                RetryPolicy.withMaxRetries(0));
    }

    private static List<Long> drain(DuckDBSplitReader reader, List<String> finished)
            throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 20 && finished.isEmpty(); i++) {
            RecordsWithSplitIds<RowData> batch = reader.fetch();
            while (batch.nextSplit() != null) {
                RowData row;
                while ((row = batch.nextRecordFromSplit()) != null) {
                    ids.add(row.getLong(0));
                }
            }
            finished.addAll(batch.finishedSplits());
        }
        return ids;
    }

    @Test
    void readsASplitInFetchSizeBatchesAndFinishesIt() throws Exception {
        try (DuckDBSplitReader reader = reader(4)) {
            reader.handleSplitsChanges(
                    new SplitsAddition<>(
                            Collections.singletonList(
                                    new DuckDBSourceSplit("s", "\"id\"", 3, 8, 0))));
            RecordsWithSplitIds<RowData> first = reader.fetch();
            assertThat(first.nextSplit()).isEqualTo("s");
            int n = 0;
            while (first.nextRecordFromSplit() != null) {
                n++;
            }
            assertThat(n).isEqualTo(4);
            assertThat(first.finishedSplits()).isEmpty();
            List<String> finished = new ArrayList<>();
            assertThat(drain(reader, finished)).containsExactly(7L, 8L);
            assertThat(finished).containsExactly("s");
        }
    }

    /** Rows are re-read in the table's physical order (stable while the table is unchanged). */
    @Test
    void restoredSplitSkipsTheRowsAlreadyEmitted() throws Exception {
        try (DuckDBSplitReader reader = reader(100)) {
            reader.handleSplitsChanges(
                    new SplitsAddition<>(
                            Collections.singletonList(DuckDBSourceSplit.whole("w").withOffset(7))));
            List<String> finished = new ArrayList<>();
            assertThat(drain(reader, finished)).containsExactly(8L, 9L, 10L);
            assertThat(finished).containsExactly("w");
        }
    }
}
