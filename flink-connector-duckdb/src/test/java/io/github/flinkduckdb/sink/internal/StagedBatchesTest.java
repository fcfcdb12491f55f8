package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBSinkException;

import org.junit.jupiter.api.Test;

import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batch bookkeeping of the staging buffer. */
class StagedBatchesTest {

    private final StagedBatches batches =
            new StagedBatches(TableIdentifier.parse("main.items"), true);

    @Test
    void mapsEachStagedRowOfTheDrainedBufferToItsBatch() {
        batches.startRecord(0); // rows 0-1 without batch id
        batches.endRecord();
        batches.startRecord(2);
        assertThat(batches.begin("b1", 2)).isFalse(); // rows 2-4
        batches.end(5);
        batches.endRecord();
        LongFunction<String> batchOfRow = batches.switchBuffer();
        assertThat(batchOfRow.apply(1)).isNull();
        assertThat(batchOfRow.apply(2)).isEqualTo("b1");
        assertThat(batchOfRow.apply(4)).isEqualTo("b1");
        assertThat(batchOfRow.apply(5)).isNull();
    }

    @Test
    void skipsABatchAlreadyInTheBufferUntilTheBufferIsSwitched() {
        assertThat(batches.begin("b1", 0)).isFalse();
        batches.end(1);
        assertThat(batches.begin("b1", 1)).isTrue();
        batches.end(1);
        assertThat(batches.skipped()).isEqualTo(1);
        batches.switchBuffer();
        assertThat(batches.begin("b1", 0)).isFalse();
    }

    @Test
    void failsOnABatchLeftOpenByTheConverter() {
        batches.startRecord(0);
        batches.begin("b1", 0);
        assertThatThrownBy(batches::endRecord)
                .isInstanceOf(DuckDBSinkException.class)
                .hasMessageContaining("Batch 'b1' for table")
                .hasMessageContaining("was begun but not ended by the record converter");
    }
}
