package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.otter.project.FlushPolicy;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Parquet writer restored from a checkpoint whose completion never reached it (the job failed
 * in between, as in a RabbitMQ broker restart): it publishes the restored roll when it starts.
 */
class ParquetWriterRestoreITCase {

    @TempDir Path dir;

    @Test
    void publishesARestoredRollWhoseCheckpointCompletionItMissed() throws Exception {
        ParquetModelOutput output =
                new ParquetModelOutput(
                        "orders",
                        ParquetOutputITCase.COLUMNS,
                        dir.resolve("out").toString(),
                        dir.resolve("staging").toString(),
                        List.of(),
                        List.of(),
                        "zstd",
                        new FlushPolicy(1 << 20, 0),
                        "128MB");
        OperatorSubtaskState checkpoint1;
        try (OneInputStreamOperatorTestHarness<Row, Void> h = harness(output)) {
            h.open();
            for (long i = 0; i < 25; i++) {
                h.processElement(ParquetOutputITCase.row(i), 0);
            }
            h.prepareSnapshotPreBarrier(1);
            checkpoint1 = h.snapshot(1, 1);
        }
        assertThat(parquetFiles()).as("nothing published yet").isZero();

        try (OneInputStreamOperatorTestHarness<Row, Void> h = harness(output)) {
            h.initializeState(checkpoint1);
            h.open();
        }
        DuckDBTestDatabase reader = DuckDBTestDatabase.at(dir.resolve("reader.duckdb"));
        String files = "read_parquet('" + dir.resolve("out/orders") + "/**/*.parquet')";
        assertThat(reader.count("SELECT count(*) FROM " + files)).isEqualTo(25);
        assertThat(reader.count("SELECT count(DISTINCT id) FROM " + files)).isEqualTo(25);
    }

    private long parquetFiles() throws Exception {
        Path out = dir.resolve("out");
        if (!Files.exists(out)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(out)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".parquet")).count();
        }
    }

    private static OneInputStreamOperatorTestHarness<Row, Void> harness(ParquetModelOutput output)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ParquetWriterOperator<Row>(output));
    }
}
