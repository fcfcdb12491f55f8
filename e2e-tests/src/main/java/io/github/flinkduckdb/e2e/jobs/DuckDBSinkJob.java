package io.github.flinkduckdb.e2e.jobs;

import io.github.flinkduckdb.sink.DuckDBSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The job the end-to-end tests submit to a standalone cluster: keyed batches of orders with
 * distinct ids from a checkpointed, rate-limited generator into one DuckDB file.
 *
 * <p>Arguments: {@code --db <file> --guarantee EXACTLY_ONCE|AT_LEAST_ONCE --batches N
 * --rows-per-batch R --batches-per-second X --parallelism P --checkpoint-interval MS [--max-retries
 * K]}. The arguments are parsed here, not with Flink's {@code ParameterTool}: Flink 2.x moved that
 * class, and this job runs unchanged on both Flink lines.
 */
public final class DuckDBSinkJob {

    private DuckDBSinkJob() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> params = parse(args);
        String db = params.get("db");
        if (db == null) {
            throw new IllegalArgumentException("Missing argument --db <DuckDB file>");
        }
        DeliveryGuarantee guarantee =
                DeliveryGuarantee.valueOf(params.getOrDefault("guarantee", "EXACTLY_ONCE"));
        long batches = Long.parseLong(params.getOrDefault("batches", "1000"));
        int rowsPerBatch = Integer.parseInt(params.getOrDefault("rows-per-batch", "100"));
        double rate = Double.parseDouble(params.getOrDefault("batches-per-second", "200"));
        int parallelism = Integer.parseInt(params.getOrDefault("parallelism", "4"));
        long checkpointInterval = Long.parseLong(params.getOrDefault("checkpoint-interval", "500"));
        int maxRetries = Integer.parseInt(params.getOrDefault("max-retries", "5"));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval);

        TypeInformation<Tuple2<String, List<Map<String, Object>>>> type =
                Types.TUPLE(
                        Types.STRING,
                        Types.LIST(Types.MAP(Types.STRING, Types.GENERIC(Object.class))));
        DataGeneratorSource<Tuple2<String, List<Map<String, Object>>>> source =
                new DataGeneratorSource<>(
                        index -> {
                            List<Map<String, Object>> rows = new ArrayList<>(rowsPerBatch);
                            for (int r = 0; r < rowsPerBatch; r++) {
                                long id = index * rowsPerBatch + r;
                                Map<String, Object> row = new HashMap<>();
                                row.put("id", id);
                                row.put("batch", "b-" + index);
                                row.put("amount", id * 0.5);
                                rows.add(row);
                            }
                            return Tuple2.of("b-" + index, rows);
                        },
                        batches,
                        RateLimiterStrategy.perSecond(rate),
                        type);

        env.fromSource(source, WatermarkStrategy.noWatermarks(), "keyed-batches")
                .returns(type)
                .uid("keyed-batches")
                .sinkTo(
                        DuckDBSink.forKeyedBatches("jdbc:duckdb:" + db, "orders")
                                .setCreateTableSql(
                                        "CREATE TABLE orders (id BIGINT NOT NULL, batch VARCHAR, amount DOUBLE)")
                                .setDeliveryGuarantee(guarantee)
                                .setMaxBufferedRows(10_000)
                                .setMaxRetries(maxRetries)
                                .build())
                .uid("duckdb-orders")
                .name("DuckDB orders");

        env.execute("e2e: keyed batches to DuckDB (" + guarantee + ")");
    }

    /** {@code --name value} pairs; anything else is an error that names the argument. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "Expected --name value pairs, got '" + args[i] + "' at position " + i);
            }
            params.put(args[i].substring(2), args[i + 1]);
        }
        return params;
    }
}
