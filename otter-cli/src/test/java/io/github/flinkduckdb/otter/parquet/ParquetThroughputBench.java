package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.otter.project.FlushPolicy;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * Not part of the suite (the name does not end in Test/ITCase): the throughput of the Parquet
 * writer against the same job with a discarding sink, as quoted in docs/otter-runner.md.
 *
 * <pre>mvn -B test -pl otter-cli -Dtest=ParquetThroughputBench</pre>
 */
class ParquetThroughputBench {

    @TempDir Path dir;

    private DataStream<Row> rows(StreamExecutionEnvironment env, long n) {
        return env.fromSource(
                        new DataGeneratorSource<>(
                                i -> i, n, RateLimiterStrategy.noOp(), Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "ids")
                .map(ParquetOutputITCase::row)
                .returns(
                        Types.ROW_NAMED(
                                new String[] {
                                    "id", "currency", "total", "tags", "placed_at", "buyer"
                                },
                                Types.LONG,
                                Types.STRING,
                                Types.BIG_DEC,
                                Types.OBJECT_ARRAY(Types.STRING),
                                Types.LOCAL_DATE_TIME,
                                ParquetOutputITCase.BUYER));
    }

    @Test
    void measure() throws Exception {
        long n = 1_000_000;
        for (int round = 0; round < 2; round++) {
            StreamExecutionEnvironment base = TestEnvironments.env(1, 1000, 0);
            rows(base, n).sinkTo(new DiscardingSink<>());
            long t0 = System.nanoTime();
            base.execute("baseline");
            long baseline = System.nanoTime() - t0;

            StreamExecutionEnvironment env = TestEnvironments.env(1, 1000, 0);
            ParquetOutput.write(
                    rows(env, n),
                    new ParquetModelOutput(
                            "orders",
                            ParquetOutputITCase.COLUMNS,
                            dir.resolve("out" + round).toString(),
                            dir.resolve("staging" + round).toString(),
                            List.of("currency"),
                            List.of(),
                            "zstd",
                            new FlushPolicy(128L << 20, 0),
                            "256MB"),
                    "p-");
            t0 = System.nanoTime();
            env.execute("parquet");
            long parquet = System.nanoTime() - t0;
            System.out.printf(
                    "round %d: %d rows; discarding sink %.0f rows/s, Parquet writer %.0f rows/s%n",
                    round, n, n / (baseline / 1e9), n / (parquet / 1e9));
        }
    }
}
