package io.github.flinkduckdb.benchmarks;

import org.apache.flink.runtime.util.EnvironmentInformation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every harness runs at a tiny scale in the regular build, so the suite never rots. It checks that
 * each case wrote the rows it claims; it does not judge speed (the full suite does, with a baseline
 * from the same run).
 */
class BenchmarkSmokeTest {

    @TempDir Path work;

    @Test
    void everyCaseRunsAndWritesItsRows() throws Exception {
        Map<String, BenchmarkSuite.Result> results = BenchmarkSuite.run("smoke", work);
        for (String planned : BenchmarkSuite.plan("smoke").keySet()) {
            if (!planned.equals("transform") && !planned.equals("pipeline")) {
                assertThat(results).containsKey(planned);
            }
        }
        assertThat(results)
                .containsKeys(
                        "transform-per-message",
                        "transform-batched-100",
                        "transform-batched-1000",
                        "transform-batched-5000",
                        "pipeline-raw-consumer",
                        "pipeline-otter",
                        "pipeline-otter-p2");
        for (BenchmarkSuite.Result r : results.values()) {
            assertThat(r.check).as(r.name).isEqualTo("ok");
            assertThat(r.seconds).as(r.name).isPositive();
        }
        String report = BenchmarkSuite.report(results, "smoke");
        assertThat(report)
                .contains("Flink " + EnvironmentInformation.getVersion() + ",")
                .contains("| duckdb-typed-eo-p2 |")
                .contains("| batches of 1,000 |")
                .contains("Upsert (SQL")
                .contains("| otter pipeline")
                .contains("| otter pipeline, parallelism 2");
    }
}
