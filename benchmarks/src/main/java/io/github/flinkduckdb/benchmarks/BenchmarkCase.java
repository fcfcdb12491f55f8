package io.github.flinkduckdb.benchmarks;

import io.github.flinkduckdb.sink.DuckDBRowAppender;
import io.github.flinkduckdb.sink.DuckDBSink;
import io.github.flinkduckdb.sink.RowWriter;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark cases in a JVM forked by {@link BenchmarkSuite}: at full scale one case per JVM, so
 * heap, RSS and JIT state belong to that case alone; the smoke test runs a whole round in one JVM.
 * Arguments: the work directory, then a case name and its rows for each case to run, in order.
 * Prints {@code RESULT|name|rows|seconds|maxHeapMB|rssMB|check|maxLiveHeapMB|p99Millis} for each
 * result of a case (the sink cases add {@code |steadyRows|steadySeconds}, see {@link SteadyState}),
 * then {@code DONE|name} when the case is over.
 */
public final class BenchmarkCase {

    private BenchmarkCase() {}

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        checkpointDirectory = dir.resolve("checkpoints");
        Files.createDirectories(dir);
        for (int i = 1; i + 1 < args.length; i += 2) {
            runCase(args[i], Long.parseLong(args[i + 1]), dir);
            System.out.println("DONE|" + args[i]);
        }
    }

    private static void runCase(String name, long rows, Path dir) throws Exception {
        Path db = dir.resolve(name + "-" + rows + ".duckdb");
        Files.deleteIfExists(db);
        Files.deleteIfExists(Paths.get(db + ".wal"));
        String url = "jdbc:duckdb:" + db.toAbsolutePath();

        if (name.equals("pipeline-raw-sweep")) {
            RawConsumer.sweep((int) rows);
            return;
        }
        if (name.equals("pipeline")) {
            PipelineBenchmark.run((int) rows, dir);
            return;
        }
        if (name.equals("transform")) {
            // The per-message baseline runs about 200 messages/s: 500 of them keep a round short.
            int perMessage = (int) Math.min(rows, Math.max(200, Math.min(500, rows / 20)));
            TransformBenchmark.run(perMessage, (int) rows);
            TransformBenchmark.runNonRowLocal(perMessage, (int) rows);
            return;
        }
        HeapSampler heap = new HeapSampler();
        heap.start();
        SteadyState.start(rows);
        double seconds;
        switch (name) {
            case "raw-appender":
                seconds = rawAppender(url, rows);
                break;
            case "jdbc-sink":
                seconds = jdbcSink(url, rows, false);
                break;
            case "jdbc-sink-upsert":
                seconds = jdbcSink(url, rows, true);
                break;
            case "flink-discarding":
                seconds = discarding(rows);
                break;
            case "raw-eo-append":
                seconds = RawStaged.run(url, rows, false, dir);
                break;
            case "raw-eo-upsert":
                seconds = RawStaged.run(url, rows, true, dir);
                break;
            case "sql-append-eo-p1":
                seconds = SqlBenchmarks.run(url, rows, false, 1);
                break;
            case "sql-upsert-eo-p1":
                seconds = SqlBenchmarks.run(url, rows, true, 1);
                break;
            default:
                seconds = duckdbSink(name, url, rows);
        }
        String steady = SteadyState.end(rows);
        heap.stopSampling();
        String check =
                name.equals("flink-discarding")
                        ? "ok"
                        : name.startsWith("sql-upsert")
                                        || name.equals("jdbc-sink-upsert")
                                        || name.equals("raw-eo-upsert")
                                ? check(url, SqlBenchmarks.distinctKeys(rows), true)
                                : check(
                                        url,
                                        rows,
                                        name.contains("-eo-") || name.startsWith("raw-"));
        System.out.printf(
                "RESULT|%s|%d|%.3f|%d|%d|%s|%d|0|%s%n",
                name,
                rows,
                seconds,
                heap.maxBytes() / (1024 * 1024),
                rssMb(),
                check,
                heap.maxLiveBytes() / (1024 * 1024),
                steady);
    }

    /** The physical limit: DuckDB's appender in one transaction, no Flink. */
    static double rawAppender(String url, long rows) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute(Order.CREATE_TABLE);
            long start = System.nanoTime();
            st.execute("BEGIN TRANSACTION");
            try (DuckDBAppender a =
                    c.unwrap(DuckDBConnection.class).createAppender("main", "orders")) {
                for (long i = 0; i < rows; i++) {
                    SteadyState.row(i);
                    Order o = Order.of(i);
                    a.beginRow()
                            .append(o.id)
                            .append(o.customer)
                            .append(o.amount)
                            .appendEpochMicros(o.placedAtMicros)
                            .append(o.category)
                            .endRow();
                }
            }
            st.execute("COMMIT");
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** Set by {@link #main} to a folder in the case's work directory. */
    static Path checkpointDirectory = Paths.get("target", "bench-checkpoints");

    static StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // As in production: exactly-once carries each checkpoint's rows through Flink state, more
        // than the JobManager's 5 MB memory storage takes at these rates.
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                checkpointDirectory.toAbsolutePath().toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(1_000);
        env.getConfig().enableObjectReuse();
        return env;
    }

    private static DataGeneratorSource<Order> orders(long rows) {
        return new DataGeneratorSource<>(
                i -> {
                    SteadyState.row(i);
                    return Order.of(i);
                },
                rows,
                RateLimiterStrategy.noOp(),
                TypeInformation.of(Order.class));
    }

    /** Flink alone: the same source into a sink that drops everything (for the profile). */
    static double discarding(long rows) throws Exception {
        StreamExecutionEnvironment env = environment(1);
        env.fromSource(orders(rows), WatermarkStrategy.noWatermarks(), "orders")
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        return env.execute("discarding").getNetRuntime() / 1000.0;
    }

    /**
     * What Flink users have today: flink-connector-jdbc's JdbcSink with the DuckDB driver.
     * Appending into a table without key, or (upsert) the SQL upsert case's rows, every fifth one
     * updating an earlier key, into a table with a PRIMARY KEY through {@code INSERT OR REPLACE}:
     * the statement a JdbcSink user writes for DuckDB, since the JDBC connector has no DuckDB
     * dialect.
     */
    static double jdbcSink(String url, long rows, boolean upsert) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute(upsert ? Order.CREATE_TABLE_WITH_KEY : Order.CREATE_TABLE);
        }
        StreamExecutionEnvironment env = environment(1);
        env.fromSource(orders(rows), WatermarkStrategy.noWatermarks(), "orders")
                .sinkTo(
                        JdbcSink.<Order>builder()
                                .withQueryStatement(
                                        upsert
                                                ? "INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?)"
                                                : "INSERT INTO orders VALUES (?, ?, ?, ?, ?)",
                                        (ps, o) -> {
                                            ps.setLong(1, upsert ? SqlBenchmarks.key(o.id) : o.id);
                                            ps.setString(2, o.customer);
                                            ps.setDouble(3, o.amount);
                                            ps.setTimestamp(
                                                    4, new Timestamp(o.placedAtMicros / 1000));
                                            ps.setString(5, o.category);
                                        })
                                .withExecutionOptions(
                                        JdbcExecutionOptions.builder()
                                                .withBatchSize(10_000)
                                                .withBatchIntervalMs(1_000)
                                                .build())
                                .buildAtLeastOnce(
                                        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                                                .withUrl(url)
                                                .withDriverName("org.duckdb.DuckDBDriver")
                                                .build()));
        return env.execute(upsert ? "jdbc-sink-upsert" : "jdbc-sink").getNetRuntime() / 1000.0;
    }

    /**
     * Ours: {@code duckdb-<typed|maps>-<alo|eo>-p<N>}: typed records through a RowWriter, or keyed
     * batches of 1,000 maps; at-least-once or exactly-once; parallelism N.
     */
    static double duckdbSink(String name, String url, long rows) throws Exception {
        String[] parts = name.split("-");
        boolean typed = parts[1].equals("typed");
        DeliveryGuarantee guarantee =
                parts[2].equals("eo")
                        ? DeliveryGuarantee.EXACTLY_ONCE
                        : DeliveryGuarantee.AT_LEAST_ONCE;
        int parallelism = Integer.parseInt(parts[3].substring(1));
        StreamExecutionEnvironment env = environment(parallelism);
        if (typed) {
            RowWriter<Order> writer = BenchmarkCase::writeOrder;
            io.github.flinkduckdb.sink.DuckDBSinkBuilder<Order> builder =
                    DuckDBSink.forRowWriter(url, "orders", writer)
                            .setCreateTableSql(Order.CREATE_TABLE)
                            .setDeliveryGuarantee(guarantee)
                            .setMaxBufferedRows(
                                    Integer.getInteger(
                                            "bench.maxBufferedRows",
                                            io.github.flinkduckdb.sink.DuckDBSinkBuilder
                                                    .DEFAULT_MAX_BUFFERED_ROWS));
            // For profiling runs: -Dbench.duckdb=name=value,name=value (target connection).
            for (String setting : System.getProperty("bench.duckdb", "").split(",")) {
                if (setting.contains("=")) {
                    String[] kv = setting.split("=", 2);
                    builder.setDuckDBSetting(kv[0], kv[1]);
                }
            }
            env.fromSource(orders(rows), WatermarkStrategy.noWatermarks(), "orders")
                    .sinkTo(builder.build());
        } else {
            int perBatch = 1_000;
            long batches = rows / perBatch;
            TypeInformation<Tuple2<String, List<Map<String, Object>>>> type =
                    Types.TUPLE(
                            Types.STRING,
                            Types.LIST(Types.MAP(Types.STRING, Types.GENERIC(Object.class))));
            DataGeneratorSource<Tuple2<String, List<Map<String, Object>>>> source =
                    new DataGeneratorSource<>(
                            b -> {
                                SteadyState.rows(perBatch);
                                List<Map<String, Object>> list = new ArrayList<>(perBatch);
                                for (long i = b * perBatch; i < (b + 1) * perBatch; i++) {
                                    Order o = Order.of(i);
                                    Map<String, Object> m = new HashMap<>(8);
                                    m.put("id", o.id);
                                    m.put("customer", o.customer);
                                    m.put("amount", o.amount);
                                    m.put(
                                            "placed_at",
                                            java.time.LocalDateTime.ofEpochSecond(
                                                    o.placedAtMicros / 1_000_000,
                                                    (int) (o.placedAtMicros % 1_000_000) * 1000,
                                                    java.time.ZoneOffset.UTC));
                                    m.put("category", o.category);
                                    list.add(m);
                                }
                                return Tuple2.of("batch-" + b, list);
                            },
                            batches,
                            RateLimiterStrategy.noOp(),
                            type);
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "batches")
                    .returns(type)
                    .sinkTo(
                            DuckDBSink.forKeyedBatches(url, "orders")
                                    .setCreateTableSql(Order.CREATE_TABLE)
                                    .setDeliveryGuarantee(guarantee)
                                    .build());
        }
        JobExecutionResult result = env.execute(name);
        return result.getNetRuntime() / 1000.0;
    }

    private static void writeOrder(Order o, DuckDBRowAppender row) {
        row.append(o.id)
                .append(o.customer)
                .append(o.amount)
                .appendEpochMicros(o.placedAtMicros)
                .append(o.category);
    }

    private static String check(String url, long rows, boolean exact) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id) FROM orders")) {
            rs.next();
            long count = rs.getLong(1);
            long distinct = rs.getLong(2);
            boolean ok = distinct == rows && (exact ? count == rows : count >= rows);
            return ok
                    ? "ok"
                    : "MISMATCH rows=" + count + " distinct=" + distinct + " expected=" + rows;
        }
    }

    private static long rssMb() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /**
     * Samples the used heap every 20 ms and keeps the maximum; also keeps the largest old
     * generation after a collection, i.e. the live data the sink holds (the figure that must not
     * grow with the number of rows).
     */
    static final class HeapSampler extends Thread {
        private final AtomicLong max = new AtomicLong();
        private final AtomicLong maxLive = new AtomicLong();
        private volatile boolean running = true;

        HeapSampler() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                max.accumulateAndGet(used, Math::max);
                for (java.lang.management.MemoryPoolMXBean pool :
                        ManagementFactory.getMemoryPoolMXBeans()) {
                    java.lang.management.MemoryUsage afterGc = pool.getCollectionUsage();
                    if (afterGc != null && pool.getName().contains("Old Gen")) {
                        maxLive.accumulateAndGet(afterGc.getUsed(), Math::max);
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() {
            running = false;
        }

        long maxBytes() {
            return max.get();
        }

        long maxLiveBytes() {
            return maxLive.get();
        }
    }
}
