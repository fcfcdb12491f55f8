package io.github.flinkduckdb.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The report's arithmetic on made-up runs: medians of pair ratios, their range, the targets. */
class BenchmarkReportTest {

    private static Result run(String name, long rows, double seconds) {
        return new Result(name, rows, seconds, 0, 0, "ok", 0, 0, 0, 0);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        Measurements.Spread odd = Measurements.Spread.of(List.of(0.9, 0.5, 0.7));
        assertThat(odd.median).isEqualTo(0.7);
        assertThat(odd.min).isEqualTo(0.5);
        assertThat(odd.max).isEqualTo(0.9);
        assertThat(Measurements.Spread.of(List.of(0.9, 0.5, 0.7, 0.6)).median)
                .isCloseTo(0.65, within(1e-9));
    }

    @Test
    void eachPairIsJudgedOnItsOwnBaselineAndTheMedianDecides() {
        Measurements m = new Measurements(3);
        // The raw appender's speed halves in the second pair (the machine got busy): that pair's
        // ratio is still 0.95, so the median is 0.95, although the case's median rows/s is not
        // 0.95x
        // the raw appender's median rows/s.
        double[][] rawAndCase = {{1.0, 1.0 / 0.95}, {2.0, 2.0 / 0.95}, {1.0, 1.0 / 0.5}};
        for (double[] seconds : rawAndCase) {
            Result raw = run(BenchmarkSuite.RAW, 1_000_000, seconds[0]);
            Result typed = run("duckdb-typed-alo-p1", 1_000_000, seconds[1]);
            Result jdbc = run(BenchmarkSuite.JDBC, 10_000, seconds[0] * 2);
            Result raw2 = run(BenchmarkSuite.RAW, 1_000_000, seconds[0]);
            m.add(raw);
            m.add(typed);
            m.add(raw2);
            m.add(jdbc);
            m.add("duckdb-typed-alo-p1", new Measurements.Pair(raw, typed));
            m.add(BenchmarkSuite.JDBC, new Measurements.Pair(raw2, jdbc));
        }
        Measurements.Spread typed = m.ratio("duckdb-typed-alo-p1");
        assertThat(typed.median).isCloseTo(0.95, within(1e-9));
        assertThat(typed.min).isCloseTo(0.5, within(1e-9));
        assertThat(typed.count).isEqualTo(3);

        String report = BenchmarkReport.report(m, "test");
        // JdbcSink: 10,000 rows in twice the raw time = 0.005x; typed 0.95 / 0.005 = 190x.
        assertThat(report)
                .contains("3 pairs per ratio")
                .contains("| jdbc-sink | 10,000 | ")
                .contains("| 0.0050x | 0.0050-0.0050 | - | - | 3 | 1.0x | baseline | - | ok |")
                .contains(
                        "| 0.95x | 0.50-0.95 | - | - | 3 | 190.0x | >= 0.9x raw, >= 100x JdbcSink"
                                + " | yes | ok |");
    }

    @Test
    void aMedianBelowTheTargetIsNotMet() {
        Measurements m = new Measurements(1);
        Result raw = run(BenchmarkSuite.RAW, 1_000_000, 1.0);
        Result eo = run("duckdb-typed-eo-p1", 1_000_000, 1.0 / 0.84);
        Result jdbc = run(BenchmarkSuite.JDBC, 1_000, 1.0);
        m.add(raw);
        m.add(eo);
        m.add(jdbc);
        m.add("duckdb-typed-eo-p1", new Measurements.Pair(raw, eo));
        m.add(BenchmarkSuite.JDBC, new Measurements.Pair(raw, jdbc));
        assertThat(BenchmarkReport.report(m, "test"))
                .contains("1 pair per ratio")
                .contains(
                        "| 0.84x | 0.84-0.84 | - | - | 1 | 840.0x | >= 0.85x raw, >= 100x JdbcSink"
                                + " | no |");
    }

    private static Result run(
            String name, long rows, double seconds, long steadyRows, double steadySeconds) {
        return new Result(name, rows, seconds, 0, 0, "ok", 0, 0, steadyRows, steadySeconds);
    }

    @Test
    void theSteadyPartsJudgeWhereMeasured() {
        Measurements m = new Measurements(1);
        // Whole runs: 0.5x (the case pays 1 s of start-up); after the first quarter: 0.9x.
        Result raw = run(BenchmarkSuite.RAW, 4_000_000, 2.0, 3_000_000, 1.5);
        Result alo = run("duckdb-typed-alo-p1", 4_000_000, 4.0, 3_000_000, 1.5 / 0.9);
        Result jdbc = run(BenchmarkSuite.JDBC, 10_000, 1.0, 7_500, 0.75);
        // Upsert 0.7x of append over whole runs, 0.8x steady.
        Result append = run(BenchmarkSuite.SQL_APPEND, 1_000, 1.0, 750, 0.75);
        Result upsert = run(BenchmarkSuite.SQL_UPSERT, 1_000, 1.0 / 0.7, 750, 0.75 / 0.8);
        for (Result r : List.of(raw, alo, jdbc, append, upsert)) {
            m.add(r);
        }
        m.add("duckdb-typed-alo-p1", new Measurements.Pair(raw, alo));
        m.add(BenchmarkSuite.JDBC, new Measurements.Pair(raw, jdbc));
        m.add(BenchmarkSuite.SQL_APPEND, new Measurements.Pair(raw, append));
        m.add(BenchmarkSuite.SQL_UPSERT, new Measurements.Pair(raw, upsert));
        m.add(BenchmarkSuite.UPSERT_VS_APPEND, new Measurements.Pair(append, upsert));

        assertThat(m.steadyRatio("duckdb-typed-alo-p1").median).isCloseTo(0.9, within(1e-9));
        String report = BenchmarkReport.report(m, "test");
        // JdbcSink steady: 7,500 rows in 0.75 s against 2 M rows/s = 0.005x; 0.9 / 0.005 = 180x.
        assertThat(report)
                .contains("| 0.50x | 0.50-0.50 | 0.90x | 0.90-0.90 | 1 | 180.0x | >= 0.9x raw")
                .contains(">= 0.9x raw, >= 100x JdbcSink | yes | ok |")
                .contains("| 0.70x | 0.70-0.70 | 0.80x | 0.80-0.80 | 1 | >= 0.8x | yes |");
    }

    @Test
    void theUpsertIsComparedWithAnUpsertingJdbcSink() {
        Measurements m = new Measurements(1);
        Result raw = run(BenchmarkSuite.RAW, 4_000_000, 2.0, 3_000_000, 1.5);
        // Steady: append JdbcSink 0.005x the raw appender, upserting JdbcSink 0.0004x.
        Result jdbc = run(BenchmarkSuite.JDBC, 10_000, 1.0, 7_500, 0.75);
        Result jdbcUpsert = run(BenchmarkSuite.JDBC_UPSERT, 1_000, 1.0, 600, 0.75);
        Result upsert = run(BenchmarkSuite.SQL_UPSERT, 4_000_000, 8.0, 3_000_000, 7.5);
        for (Result r : List.of(raw, jdbc, jdbcUpsert, upsert)) {
            m.add(r);
        }
        m.add(BenchmarkSuite.JDBC, new Measurements.Pair(raw, jdbc));
        m.add(BenchmarkSuite.JDBC_UPSERT, new Measurements.Pair(raw, jdbcUpsert));
        m.add(BenchmarkSuite.SQL_UPSERT, new Measurements.Pair(raw, upsert));

        String report = BenchmarkReport.report(m, "test");
        // Upsert steady 0.2x the raw appender: 0.2 / 0.0004 = 500x, 0.2 / 0.005 = 40x.
        assertThat(report)
                .contains("| sql-upsert-eo-p1 | 4,000,000 | 500,000 | 0.25x | 0.25-0.25 | 0.20x")
                .contains("| 500.0x | >= 100x JdbcSink upserting")
                .contains("| jdbc-sink-upsert | 1,000 |")
                .contains("| baseline of sql-upsert-eo-p1 | - | ok |")
                .contains("against the appending jdbc-sink: 40.0x.");
    }

    @Test
    void aTargetBeyondDuckDBsOwnLimitSaysSo() {
        Measurements m = new Measurements(1);
        // Steady: raw 2 M rows/s; DuckDB alone with exactly-once's passes 0.7x of it, the sink
        // 0.68x (0.97x of DuckDB alone); DuckDB's own upsert 0.6x of its append, the SQL upsert
        // 0.62x of the SQL append.
        Result raw = run(BenchmarkSuite.RAW, 4_000_000, 2.0, 3_000_000, 1.5);
        Result rawEo = run(BenchmarkSuite.RAW_EO_APPEND, 4_000_000, 3.0, 3_000_000, 1.5 / 0.7);
        Result rawUpsert =
                run(BenchmarkSuite.RAW_EO_UPSERT, 4_000_000, 5.0, 3_000_000, 1.5 / 0.7 / 0.6);
        Result eo = run(BenchmarkSuite.TYPED_EO, 4_000_000, 3.5, 3_000_000, 1.5 / 0.68);
        Result jdbc = run(BenchmarkSuite.JDBC, 10_000, 1.0, 7_500, 0.75);
        Result append = run(BenchmarkSuite.SQL_APPEND, 4_000_000, 4.0, 3_000_000, 2.0);
        Result upsert = run(BenchmarkSuite.SQL_UPSERT, 4_000_000, 6.0, 3_000_000, 2.0 / 0.62);
        for (Result r : List.of(raw, rawEo, rawUpsert, eo, jdbc, append, upsert)) {
            m.add(r);
        }
        m.add(BenchmarkSuite.JDBC, new Measurements.Pair(raw, jdbc));
        m.add(BenchmarkSuite.TYPED_EO, new Measurements.Pair(raw, eo));
        m.add(BenchmarkSuite.SQL_APPEND, new Measurements.Pair(raw, append));
        m.add(BenchmarkSuite.SQL_UPSERT, new Measurements.Pair(raw, upsert));
        m.add(BenchmarkSuite.UPSERT_VS_APPEND, new Measurements.Pair(append, upsert));
        m.add(BenchmarkSuite.RAW_EO_APPEND, new Measurements.Pair(raw, rawEo));
        m.add(BenchmarkSuite.RAW_UPSERT_VS_APPEND, new Measurements.Pair(rawEo, rawUpsert));
        m.add(BenchmarkSuite.vsOwnLimit(BenchmarkSuite.TYPED_EO), new Measurements.Pair(rawEo, eo));

        String report = BenchmarkReport.report(m, "test");
        assertThat(report)
                .contains(">= 0.85x raw, >= 100x JdbcSink | no (DuckDB alone: 0.70x) | ok |")
                .contains("| 1 | >= 0.8x | no (DuckDB alone: 0.60x) |")
                .contains(
                        "| raw-eo-append vs raw-appender | 1,333,333 vs 2,000,000 | 0.67x |"
                                + " 0.67-0.67 | 0.70x | 0.70-0.70 | 1 | DuckDB's own cost")
                .contains("| raw-eo-upsert vs raw-eo-append |")
                .contains("| 0.60x | 0.60-0.60 | 1 | DuckDB's own upsert vs append")
                .contains("| duckdb-typed-eo-p1 vs raw-eo-append |")
                .contains("| 0.97x | 0.97-0.97 | 1 | the sink against DuckDB's own limit |");
        // A case under its target while DuckDB alone is not: a plain no.
        Measurements fast = new Measurements(1);
        Result rawEoFast = run(BenchmarkSuite.RAW_EO_APPEND, 4_000_000, 2.0, 3_000_000, 1.5 / 0.9);
        for (Result r : List.of(raw, rawEoFast, eo, jdbc)) {
            fast.add(r);
        }
        fast.add(BenchmarkSuite.JDBC, new Measurements.Pair(raw, jdbc));
        fast.add(BenchmarkSuite.TYPED_EO, new Measurements.Pair(raw, eo));
        fast.add(BenchmarkSuite.RAW_EO_APPEND, new Measurements.Pair(raw, rawEoFast));
        assertThat(BenchmarkReport.report(fast, "test"))
                .contains(">= 0.85x raw, >= 100x JdbcSink | no | ok |");
    }

    @Test
    void thePipelineIsJudgedOnItsSteadyPart() {
        Measurements m = new Measurements(1);
        // Whole windows: raw 20,000 messages/s, the pipeline 0.7x of it; steady parts (after a
        // quarter): raw 20,000, the pipeline 0.85x. CPU figures are per window at the steady rate.
        Result raw = run(BenchmarkSuite.PIPELINE_RAW, 240_000, 12.0, 180_000, 9.0);
        Result p1 = run(BenchmarkSuite.PIPELINE_P1, 240_000, 12.0 / 0.7, 180_000, 9.0 / 0.85);
        Result rawCpu = run(PipelineBenchmark.PIPELINE_RAW_CPU, 240_000, 3.0, 0, 0);
        Result rawBroker =
                run(
                        PipelineBenchmark.PIPELINE_RAW_CPU + PipelineBenchmark.BROKER,
                        240_000,
                        12.0,
                        0,
                        0);
        Result appender = run(BenchmarkSuite.RAW, 4_000_000, 2.0, 3_000_000, 1.5);
        Result jdbc = run(BenchmarkSuite.JDBC, 10_000, 1.0, 7_500, 0.75);
        for (Result r : List.of(raw, p1, rawCpu, rawBroker, appender, jdbc)) {
            m.add(r);
        }
        m.add(BenchmarkSuite.JDBC, new Measurements.Pair(appender, jdbc));
        m.add(BenchmarkSuite.PIPELINE_P1, new Measurements.Pair(raw, p1));

        String report = BenchmarkReport.report(m, "test");
        assertThat(report)
                .contains(
                        "| otter pipeline (rows readable in Parquet) | 240,000 | 14,000 | 17,000 |"
                                + " 0.70x | 0.70-0.70 | 0.85x | 0.85-0.85 | 1 | >= 0.8x raw"
                                + " consumer | yes |")
                // 15 CPU seconds per 240,000 messages at 20,000 messages/s (12 s): 1.25 cores.
                .contains("raw consumer 1.25 (JVM 0.25, broker 1.00)");
    }

    @Test
    void aPipelineUnderItsTargetNamesTheLimitOfTheConsumerRunningTheModels() {
        // Steady parts: raw 20,000 messages/s, the consumer running the models 0.75x of it, the
        // pipeline 0.6x of raw (0.8x of that limit).
        Result p1 = run(BenchmarkSuite.PIPELINE_P1, 240_000, 20.0, 180_000, 15.0);
        String report = BenchmarkReport.report(pipelineWithItsLimit(p1), "test");
        assertThat(report)
                .contains(
                        "| 0.60x | 0.60-0.60 | 1 | >= 0.8x raw consumer | no (the consumer running"
                                + " the models alone: 0.75x) |")
                .contains(
                        "| raw consumer running the models itself (no Flink; rows counted, not"
                                + " written): the pipeline's own limit | 240,000 | 15,000 | 15,000 |"
                                + " 0.75x of the raw consumer | 0.75-0.75 | 0.75x | 0.75-0.75 | 1 |")
                .contains(
                        "| otter pipeline against that limit | 240,000 | 12,000 | 12,000 | 0.80x"
                                + " of the limit | 0.80-0.80 | 0.80x | 0.80-0.80 | 1 |");

        // At or above the target the limit is not named.
        Result quick = run(BenchmarkSuite.PIPELINE_P1, 240_000, 13.0, 180_000, 9.5);
        assertThat(BenchmarkReport.report(pipelineWithItsLimit(quick), "test"))
                .contains(">= 0.8x raw consumer | yes |");
    }

    /**
     * The pipeline run {@code p1} paired with a raw consumer at 20,000 messages/s (steady) and the
     * consumer running the models at 0.75x of it, beside the sink table's appender and JdbcSink.
     */
    private static Measurements pipelineWithItsLimit(Result p1) {
        Measurements m = new Measurements(1);
        Result raw = run(BenchmarkSuite.PIPELINE_RAW, 240_000, 12.0, 180_000, 9.0);
        Result alone = run(BenchmarkSuite.PIPELINE_ALONE, 240_000, 16.0, 180_000, 12.0);
        Result appender = run(BenchmarkSuite.RAW, 4_000_000, 2.0, 3_000_000, 1.5);
        Result jdbc = run(BenchmarkSuite.JDBC, 10_000, 1.0, 7_500, 0.75);
        for (Result r : List.of(raw, alone, p1, appender, jdbc)) {
            m.add(r);
        }
        m.add(BenchmarkSuite.JDBC, new Measurements.Pair(appender, jdbc));
        m.add(BenchmarkSuite.PIPELINE_P1, new Measurements.Pair(raw, p1));
        m.add(BenchmarkSuite.PIPELINE_ALONE, new Measurements.Pair(raw, alone));
        m.add(
                BenchmarkSuite.vsOwnLimit(BenchmarkSuite.PIPELINE_P1),
                new Measurements.Pair(alone, p1));
        return m;
    }
}
