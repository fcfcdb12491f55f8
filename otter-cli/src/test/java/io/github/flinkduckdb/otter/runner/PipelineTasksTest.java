package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.testing.OtterRuns;
import io.github.flinkduckdb.otter.testing.TestProjects;

import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tasks an Otter job is made of, the same on both Flink lines: the source with the models
 * chained to it, and each Parquet writer and the RabbitMQ dead-letter publisher in a task of its
 * own (Flink 2.x would chain them to the source, where their work at each checkpoint stops it).
 */
class PipelineTasksTest {

    @TempDir Path dir;

    @Test
    void eachParquetWriterAndTheDeadLetterPublisherRunInATaskOfTheirOwn() throws Exception {
        Path project = TestProjects.copyOrders(dir);
        TestProjects.write(
                project.resolve("config/sources.yml"),
                "source:\n  type: rabbitmq\n  host: 127.0.0.1\n  port: 5672\n  queue: orders.raw\n"
                        + "  dlq: orders.dlq\n  correlation_id: true\n");
        OtterProject p = OtterRuns.load(project, dir.resolve("out"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OtterPipeline.build(env, p, ProjectTransforms.build(p));
        JobGraph graph = env.getStreamGraph().getJobGraph();

        List<String> tasks = new ArrayList<>();
        for (JobVertex v : graph.getVertices()) {
            tasks.add(v.getName());
        }
        assertThat(tasks)
                .filteredOn(t -> t.startsWith("Source: RabbitMQ: orders.raw"))
                .singleElement()
                .satisfies(
                        source ->
                                assertThat(source)
                                        .contains("Otter models")
                                        .doesNotContain("Parquet:")
                                        .doesNotContain("DLQ:"));
        List<String> expected = new ArrayList<>();
        for (String model : ProjectTransforms.build(p).modelNames()) {
            expected.add("Parquet: " + model);
        }
        expected.add("DLQ: orders.dlq");
        assertThat(tasks).containsAll(expected);
    }
}
