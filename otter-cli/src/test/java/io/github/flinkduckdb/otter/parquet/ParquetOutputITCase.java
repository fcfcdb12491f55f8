package io.github.flinkduckdb.otter.parquet;

import io.github.flinkduckdb.connection.DuckDBDriverConnections;
import io.github.flinkduckdb.otter.project.FlushPolicy;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Parquet writer in real jobs: atomic visibility, partitions, exactly-once across a failure.
 */
class ParquetOutputITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

    static final org.apache.flink.api.common.typeinfo.TypeInformation<Row> BUYER =
            Types.ROW_NAMED(
                    new String[] {"id", "name", "score"}, Types.LONG, Types.STRING, Types.DOUBLE);

    @TempDir Path dir;

    static final List<ColumnSchema> COLUMNS =
            List.of(
                    ColumnSchema.of("id", DuckDBType.of(DuckDBType.Id.BIGINT)),
                    ColumnSchema.of("currency", DuckDBType.of(DuckDBType.Id.VARCHAR)),
                    ColumnSchema.of("total", DuckDBType.decimal(12, 2)),
                    ColumnSchema.of("tags", DuckDBType.list(DuckDBType.of(DuckDBType.Id.VARCHAR))),
                    ColumnSchema.of("placed_at", DuckDBType.of(DuckDBType.Id.TIMESTAMP)),
                    ColumnSchema.of(
                            "buyer",
                            DuckDBType.parse("STRUCT(id BIGINT, name VARCHAR, score DOUBLE)")));

    private DataStream<Row> rows(StreamExecutionEnvironment env, long count, long perSecond) {
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(
                        i -> i, count, RateLimiterStrategy.perSecond(perSecond), Types.LONG);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "ids")
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
                                BUYER));
    }

    static Row row(long i) {
        Row r = Row.withNames();
        r.setField("id", i);
        r.setField("currency", i % 3 == 0 ? "EUR" : "USD");
        r.setField("total", java.math.BigDecimal.valueOf(i, 2));
        r.setField("tags", new String[] {"t" + (i % 5), null});
        r.setField("placed_at", java.time.LocalDateTime.of(2024, 5, 1, 12, 0).plusSeconds(i));
        Row buyer = Row.withNames();
        buyer.setField("id", i % 10);
        buyer.setField("name", i % 10 == 0 ? null : "b'" + i % 10);
        buyer.setField("score", i % 10 == 1 ? Double.NaN : i / 4.0);
        r.setField("buyer", buyer);
        return r;
    }

    private ParquetModelOutput output(List<String> partitionBy, FlushPolicy policy) {
        return new ParquetModelOutput(
                "orders",
                COLUMNS,
                dir.resolve("out").toString(),
                dir.resolve("staging").toString(),
                partitionBy,
                List.of(),
                "zstd",
                policy,
                "128MB");
    }

    @Test
    void writesTypedPartitionedFilesThatDuckDBReadsBack() throws Exception {
        StreamExecutionEnvironment env = TestEnvironments.env(2, 200, 0);
        ParquetOutput.write(
                rows(env, 1000, 100_000),
                output(List.of("currency"), new FlushPolicy(1 << 20, 0)),
                "parquet-");
        env.execute("parquet-partitioned");

        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), count(DISTINCT id), sum(total), "
                                        + "count(*) FILTER (currency = 'EUR'), "
                                        + "min(placed_at)::VARCHAR, any_value(tags)::VARCHAR, "
                                        + "typeof(any_value(total)),"
                                        + " (list(buyer ORDER BY id) FILTER (id IN (1, 20)))::VARCHAR"
                                        + " FROM read_parquet("
                                        + SqlIdentifiers.literal(
                                                dir.resolve("out") + "/**/*.parquet")
                                        + ")")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1000);
            assertThat(rs.getLong(2)).isEqualTo(1000);
            assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("4995.00");
            assertThat(rs.getLong(4)).isEqualTo(334);
            assertThat(rs.getString(5)).isEqualTo("2024-05-01 12:00:00");
            assertThat(rs.getString(6)).matches("\\[t\\d, NULL\\]");
            assertThat(rs.getString(7)).isEqualTo("DECIMAL(12,2)");
            assertThat(rs.getString(8))
                    .isEqualTo(
                            "[{'id': 1, 'name': 'b\\'1', 'score': nan}, {'id': 0, 'name': NULL, 'score': 5.0}]");
        }
        // Each roll is one folder, <model>/commit_<roll>/currency=<c>/part-<roll>-<n>.parquet.
        assertThat(files(dir.resolve("out")))
                .isNotEmpty()
                .allSatisfy(
                        p ->
                                assertThat(dir.resolve("out").relativize(p).toString())
                                        .matches(
                                                "orders/commit_([0-9a-f-]+)/currency=(EUR|USD)/part-\\1-\\d+\\.parquet"));
        assertThat(files(dir.resolve("staging"))).isEmpty();
    }

    @Test
    void exactlyOnceAcrossAFailureWhileAReaderWatches() throws Exception {
        FAILED_ONCE.set(false);
        long n = 20_000;
        StreamExecutionEnvironment env = TestEnvironments.env(2, 150, 3);
        DataStream<Row> rows =
                rows(env, n, 8_000)
                        .map(new FailOnce(n / 2))
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
                                        BUYER));
        ParquetOutput.write(rows, output(List.of(), new FlushPolicy(1 << 20, 0)), "parquet-");

        Reader reader = new Reader(dir.resolve("out"));
        Thread t = new Thread(reader, "parquet-reader");
        t.start();
        try {
            env.execute("parquet-failure");
        } finally {
            reader.stop.set(true);
            t.join();
        }

        assertThat(FAILED_ONCE).isTrue();
        assertThat(reader.errors).as("errors a concurrent reader saw").isEmpty();
        assertThat(reader.counts).as("the reader saw files appear").hasSizeGreaterThan(1);
        assertThat(reader.counts).isSorted();
        try (Connection c = DuckDBDriverConnections.inMemory();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), count(DISTINCT id) FROM read_parquet("
                                        + SqlIdentifiers.literal(
                                                dir.resolve("out") + "/**/*.parquet")
                                        + ")")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(n);
            assertThat(rs.getLong(2)).isEqualTo(n);
        }
        assertThat(files(dir.resolve("staging"))).isEmpty();
    }

    @Test
    void holdsRowsUntilTheFileIsOldEnough() throws Exception {
        // max_age 1 h and 1 GB: nothing is published while the job runs; the end of input
        // publishes everything in one file.
        StreamExecutionEnvironment env = TestEnvironments.env(1, 100, 0);
        ParquetOutput.write(
                rows(env, 3000, 3000), output(List.of(), new FlushPolicy(1L << 30, 3600)), "p-");
        env.execute("parquet-age");

        assertThat(files(dir.resolve("out"))).hasSize(1);
    }

    static final class FailOnce implements MapFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final long at;

        FailOnce(long at) {
            this.at = at;
        }

        @Override
        public Row map(Row value) {
            if ((Long) value.getField("id") == at && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at id " + at);
            }
            return value;
        }
    }

    /** Reads the output tree in a loop, as a user's query would. */
    static final class Reader implements Runnable {
        final Path out;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final List<Long> counts = new ArrayList<>();

        Reader(Path out) {
            this.out = out;
        }

        @Override
        public void run() {
            try (Connection c = DuckDBDriverConnections.inMemory()) {
                while (!stop.get()) {
                    try (Statement st = c.createStatement();
                            ResultSet rs =
                                    st.executeQuery(
                                            "SELECT count(*) FROM read_parquet("
                                                    + SqlIdentifiers.literal(out + "/**/*.parquet")
                                                    + ")")) {
                        rs.next();
                        long count = rs.getLong(1);
                        if (counts.isEmpty() || counts.get(counts.size() - 1) != count) {
                            counts.add(count);
                        }
                    } catch (SQLException e) {
                        if (!e.getMessage().contains("No files found")) {
                            errors.add(e.getMessage());
                        }
                    }
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                errors.add(e.toString());
            }
        }
    }

    private static List<Path> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
