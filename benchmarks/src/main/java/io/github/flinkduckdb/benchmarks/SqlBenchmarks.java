package io.github.flinkduckdb.benchmarks;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The SQL sink: the same rows appended to a table without key, and upserted into a table with a
 * PRIMARY KEY where every fifth row updates a key written four rows before (20% updates).
 */
final class SqlBenchmarks {

    private SqlBenchmarks() {}

    /** The key of row {@code i}: rows 4, 9, 14, ... update the key of rows 0, 5, 10, ... */
    static long key(long i) {
        return i % 5 == 4 ? i - 4 : i;
    }

    /** Distinct keys among {@code rows} rows. */
    static long distinctKeys(long rows) {
        return rows - rows / 5;
    }

    static double run(String url, long rows, boolean upsert, int parallelism) throws Exception {
        StreamExecutionEnvironment env = BenchmarkCase.environment(parallelism);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        TypeInformation<Row> type =
                new RowTypeInfo(
                        new TypeInformation<?>[] {
                            Types.LONG,
                            Types.STRING,
                            Types.DOUBLE,
                            Types.LOCAL_DATE_TIME,
                            Types.STRING
                        },
                        new String[] {"id", "customer", "amount", "placed_at", "category"});
        DataGeneratorSource<Row> source =
                new DataGeneratorSource<>(
                        i -> {
                            Order o = Order.of(i);
                            return Row.of(
                                    upsert ? key(i) : o.id,
                                    o.customer,
                                    o.amount,
                                    LocalDateTime.ofEpochSecond(
                                            o.placedAtMicros / 1_000_000,
                                            (int) (o.placedAtMicros % 1_000_000) * 1000,
                                            ZoneOffset.UTC),
                                    o.category);
                        },
                        rows,
                        RateLimiterStrategy.noOp(),
                        type);
        DataStream<Row> stream =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "rows").returns(type);
        tEnv.createTemporaryView("src", stream);
        tEnv.executeSql(
                "CREATE TABLE orders (id BIGINT, customer STRING, amount DOUBLE, placed_at TIMESTAMP(6), category STRING"
                        + (upsert ? ", PRIMARY KEY (id) NOT ENFORCED" : "")
                        + ") WITH ('connector' = 'duckdb', 'url' = '"
                        + url
                        + "', 'create-table' = 'true', 'sink.delivery-guarantee' = 'exactly-once')");
        TableResult result = tEnv.executeSql("INSERT INTO orders SELECT * FROM src");
        // The job's own run time, as for the DataStream cases (planning and cluster start-up
        // excluded).
        return result.getJobClient()
                        .orElseThrow(IllegalStateException::new)
                        .getJobExecutionResult()
                        .get()
                        .getNetRuntime()
                / 1000.0;
    }
}
