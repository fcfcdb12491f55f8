package io.github.flinkduckdb.benchmarks;

import org.apache.flink.runtime.util.EnvironmentInformation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every harness runs at a tiny scale in the regular build, with one pair, so the suite never rots.
 * It checks that each case wrote the rows it claims and that the report is built from the pairs; it
 * does not judge speed (the full suite does, with baselines from the same run).
 */
class BenchmarkSmokeTest {

    @TempDir Path work;

    @Test
    void everyCaseRunsWritesItsRowsAndIsReportedWithOnePair() throws Exception {
        Measurements m = BenchmarkSuite.run("smoke", 1, work);

        List<String> comparisons = new ArrayList<>(BenchmarkSuite.SINK_CASES);
        comparisons.addAll(
                List.of(
                        BenchmarkSuite.SQL_APPEND,
                        BenchmarkSuite.SQL_UPSERT,
                        BenchmarkSuite.UPSERT_VS_APPEND,
                        BenchmarkSuite.RAW_EO_APPEND,
                        BenchmarkSuite.RAW_UPSERT_VS_APPEND,
                        BenchmarkSuite.vsOwnLimit(BenchmarkSuite.TYPED_EO),
                        BenchmarkSuite.vsOwnLimit(BenchmarkSuite.SQL_APPEND),
                        BenchmarkSuite.vsOwnLimit(BenchmarkSuite.SQL_UPSERT),
                        "transform-batched-100",
                        "transform-batched-1000",
                        "transform-batched-5000",
                        BenchmarkSuite.NON_ROW_LOCAL,
                        BenchmarkSuite.PIPELINE_P1,
                        BenchmarkSuite.PIPELINE_ALONE,
                        BenchmarkSuite.vsOwnLimit(BenchmarkSuite.PIPELINE_P1),
                        BenchmarkSuite.PIPELINE_P2));
        for (String comparison : comparisons) {
            assertThat(m.pairs(comparison)).as(comparison).hasSize(1);
        }
        // The raw appender runs next to every sink case and on both sides of the SQL cases.
        assertThat(m.results(BenchmarkSuite.RAW)).hasSize(BenchmarkSuite.SINK_CASES.size() + 2);
        assertThat(m.results(BenchmarkSuite.MEMORY)).isEmpty();
        for (String name : m.resultNames()) {
            for (Result r : m.results(name)) {
                assertThat(r.check).as(name).isEqualTo("ok");
                assertThat(r.seconds).as(name).isPositive();
            }
        }

        String report = BenchmarkReport.report(m, "smoke");
        System.out.println(report);
        String ratio = "\\d+\\.\\d+x";
        String range = "\\d+\\.\\d+-\\d+\\.\\d+";
        String count = "[\\d,]+";
        assertThat(report)
                .contains("Flink " + EnvironmentInformation.getVersion() + ",")
                .contains("1 pair per ratio")
                .containsPattern(
                        "\\| raw-appender \\| 30,000 \\| "
                                + count
                                + " \\| 1\\.00x \\| "
                                + range
                                + " \\| 1\\.00x \\| "
                                + range
                                + " \\| 11 runs \\| ")
                .containsPattern(
                        "\\| duckdb-typed-eo-p2 \\| 30,000 \\| "
                                + count
                                + " \\| "
                                + ratio
                                + " \\| "
                                + range
                                + " \\| "
                                + ratio
                                + " \\| "
                                + range
                                + " \\| 1 \\| \\d+\\.\\dx \\| >= 0\\.6x raw,"
                                + " >= 100x JdbcSink \\| (yes|no) \\| ok \\|")
                .containsPattern(
                        "\\| sql-upsert-eo-p1 vs sql-append-eo-p1 \\| .* \\| "
                                + ratio
                                + " \\| "
                                + range
                                + " \\| "
                                + ratio
                                + " \\| "
                                + range
                                + " \\| 1 \\| >= 0\\.8x \\| (yes|no|no \\(DuckDB alone:"
                                + " \\d+\\.\\d+x\\)) \\|")
                .containsPattern(
                        "\\| raw-eo-upsert vs raw-eo-append \\| .* \\| "
                                + ratio
                                + " \\| "
                                + range
                                + " \\| "
                                + ratio
                                + " \\| "
                                + range
                                + " \\| 1 \\| DuckDB's own upsert vs append")
                .containsPattern(
                        "\\| duckdb-typed-eo-p1 vs raw-eo-append \\| .* \\| 1 \\| the sink"
                                + " against DuckDB's own limit \\|")
                .containsPattern(
                        "\\| batches of 1,000 \\| 1,000 \\| "
                                + count
                                + " \\| \\d+\\.\\dx \\|"
                                + " \\d+\\.\\d-\\d+\\.\\d \\| 1 \\| \\d+ ms \\|")
                .containsPattern(
                        "\\| otter pipeline \\(rows readable in Parquet\\) \\| 2,000 \\| "
                                + count
                                + " \\| ("
                                + count
                                + "|-) \\| "
                                + ratio
                                + " \\| "
                                + range
                                + " \\| ("
                                + ratio
                                + "|-) \\| ("
                                + range
                                + "|-) \\| 1 \\|")
                .containsPattern(
                        "\\| raw consumer running the models itself \\(no Flink; rows counted, not"
                                + " written\\): the pipeline's own limit \\| 2,000 \\| "
                                + count
                                + " \\| .* \\| "
                                + ratio
                                + " of the raw consumer \\| "
                                + range
                                + " \\| .* \\| 1 \\| - \\| - \\|")
                .containsPattern(
                        "\\| otter pipeline against that limit \\| 2,000 \\| .* \\| "
                                + ratio
                                + " of the limit \\| "
                                + range
                                + " \\| .* \\| 1 \\| - \\| - \\|")
                .contains("| otter pipeline, parallelism 2")
                .containsPattern(
                        "Cores busy in the timed window's steady part \\(.*\\): raw consumer \\d+\\.\\d\\d \\(JVM"
                                + " \\d+\\.\\d\\d, broker \\d+\\.\\d\\d\\); consumer running the models"
                                + " \\d+\\.\\d\\d \\(JVM \\d+\\.\\d\\d, broker \\d+\\.\\d\\d\\); otter pipeline"
                                + " \\d+\\.\\d\\d")
                .containsPattern(
                        "Bound on this machine, .*: the raw consumer's CPU per message \\(broker"
                                + " \\d+\\.\\d us, client \\d+\\.\\d us\\) plus the transform's own"
                                + " \\(batches of 1,000 in one thread: \\d+\\.\\d us\\) make \\d+\\.\\d us"
                                + " per message; \\d+ cores give at most [\\d,]+ messages/s,"
                                + " "
                                + ratio
                                + " of the raw consumer")
                .containsPattern(
                        "The pipeline's JVM CPU per message at parallelism 1, by thread \\(us,"
                                + " medians\\): source task \\(.*\\) \\d+\\.\\d, Parquet writers"
                                + " \\d+\\.\\d, .*; \\d+\\.\\d in all\\. With the Parquet writers'"
                                + " threads added")
                .containsPattern(
                        "\\| jdbc-sink-upsert \\| 500 \\| .* \\| baseline of sql-upsert-eo-p1 \\|"
                                + " - \\| ok \\|")
                .contains("sql-upsert-eo-p1 is compared with jdbc-sink-upsert");
    }
}
