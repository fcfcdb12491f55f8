package io.github.flinkduckdb.benchmarks;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarCharType;

/**
 * The SQL sink: the same rows appended to a table without key, and upserted into a table with a
 * PRIMARY KEY where every fifth row updates a key written four rows before (20% updates).
 *
 * <p>The source produces Flink's internal {@link RowData}, as the sources of SQL users do (a
 * connector's DynamicTableSource, or a DataStream of RowData registered as a view): the planner
 * passes those rows to the sink unconverted, so the case measures the SQL sink and not Flink's
 * conversion of external {@code Row} objects into RowData, which the earlier Row source paid for on
 * every row.
 */
final class SqlBenchmarks {

    /**
     * Order's strings as {@link StringData}, converted once, so that the generator costs what the
     * typed cases' {@code Order.of} costs. Static, because StringData is not serializable and the
     * generator function is.
     */
    private static final StringData[] CUSTOMERS = strings(Order.CUSTOMERS);

    private static final StringData[] CATEGORIES = strings(Order.CATEGORIES);

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
        InternalTypeInfo<RowData> type =
                InternalTypeInfo.of(
                        RowType.of(
                                new LogicalType[] {
                                    new BigIntType(false),
                                    VarCharType.STRING_TYPE,
                                    new DoubleType(),
                                    new TimestampType(6),
                                    VarCharType.STRING_TYPE
                                },
                                new String[] {
                                    "id", "customer", "amount", "placed_at", "category"
                                }));
        DataGeneratorSource<RowData> source =
                new DataGeneratorSource<>(
                        i -> {
                            SteadyState.row(i);
                            Order o = Order.of(i);
                            return GenericRowData.of(
                                    upsert ? key(i) : o.id,
                                    CUSTOMERS[(int) (i % CUSTOMERS.length)],
                                    o.amount,
                                    TimestampData.fromEpochMillis(
                                            o.placedAtMicros / 1000,
                                            (int) (o.placedAtMicros % 1000) * 1000),
                                    CATEGORIES[(int) (i % CATEGORIES.length)]);
                        },
                        rows,
                        RateLimiterStrategy.noOp(),
                        type);
        DataStream<RowData> stream =
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

    private static StringData[] strings(String[] values) {
        StringData[] out = new StringData[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = StringData.fromString(values[i]);
        }
        return out;
    }
}
