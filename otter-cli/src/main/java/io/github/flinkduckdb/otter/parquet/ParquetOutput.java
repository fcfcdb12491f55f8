package io.github.flinkduckdb.otter.parquet;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Attaches a model's Parquet writer to its stream of rows: {@code Row}s of the model's output
 * columns, or {@code ShapedRow}s (rows with their own columns) when {@link
 * ParquetModelOutput#shaped()}.
 */
public final class ParquetOutput {

    private ParquetOutput() {}

    /**
     * Adds the writer for {@code output.model()} with the stable uid {@code parquet-<model>} (so
     * checkpoints and savepoints restore into it) and the name {@code Parquet: <model>}.
     */
    public static <T> SingleOutputStreamOperator<Void> write(
            DataStream<T> rows, ParquetModelOutput output, String uidPrefix) {
        return rows.transform(
                        "Parquet: " + output.model(),
                        Types.VOID,
                        new ParquetWriterOperator<T>(output))
                .uid(uidPrefix + output.model())
                .name("Parquet: " + output.model());
    }
}
