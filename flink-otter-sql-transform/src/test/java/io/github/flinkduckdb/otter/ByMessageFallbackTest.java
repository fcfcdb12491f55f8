package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageOutcome;
import io.github.flinkduckdb.otter.internal.MicroBatchRunner;
import io.github.flinkduckdb.otter.internal.ModelPlan;
import io.github.flinkduckdb.otter.internal.TransformPlan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A by-message form that DuckDB fails to run internally (an {@code INTERNAL Error} invalidates its
 * database) does not end the run: the runner opens a new DuckDB, runs that model per message from
 * then on, and runs the batch again, with the same rows.
 */
class ByMessageFallbackTest {

    /**
     * A lateral subquery filtered on the batch table's row id directly: DuckDB 2.0.0 fails on it
     * with "INTERNAL Error: Attempted to access index -1" (the reason the by-message form reads the
     * range through a materialized CTE). If a later DuckDB runs it, this test says so.
     */
    private static final String FAILING_FORM =
            "SELECT r.*, m.\"__otter_pos\" FROM (SELECT b.rowid AS \"__otter_pos\" FROM"
                    + " __otter.main.batch AS b WHERE b.rowid BETWEEN $1 AND $2) AS m, LATERAL"
                    + " (SELECT * FROM (SELECT * FROM __otter.main.batch AS x WHERE x.rowid ="
                    + " m.\"__otter_pos\") AS incoming ORDER BY id LIMIT 1) AS r";

    @Test
    void anInternalDuckDBErrorMakesTheModelRunPerMessageWithTheSameRows(@TempDir Path spill)
            throws Exception {
        OtterTransform transform =
                OtterTransform.builder()
                        .incomingSchema("id BIGINT, kind VARCHAR")
                        .addModel("top", "SELECT * FROM incoming ORDER BY id LIMIT 1")
                        .addModel("kinds", "SELECT count(DISTINCT kind) AS n FROM incoming")
                        .build();
        assertThat(transform.model("top").runsBatched()).isTrue();
        assertThat(transform.model("kinds").runsBatched()).isTrue();
        TransformPlan plan = transform.plan();
        List<ModelPlan> models = new ArrayList<>(plan.models());
        models.set(0, new ModelPlan(models.get(0).analysis(), FAILING_FORM));
        TransformPlan failing =
                new TransformPlan(
                        plan.incomingSchema(),
                        models,
                        plan.duckdbSettings(),
                        plan.maxBatchSize(),
                        plan.maxBatchDelayMillis(),
                        plan.maxBatchBytes(),
                        plan.maxMessageBytes(),
                        plan.jsonLimits(),
                        true);

        try (MicroBatchRunner runner = MicroBatchRunner.open(failing, spill, 0)) {
            List<MessageOutcome> outcomes = new ArrayList<>();
            outcomes.addAll(runner.process(messages(0, 20), 0));
            assertThat(runner.perMessageRuns())
                    .as("top, per message after the failure")
                    .isEqualTo(20);
            outcomes.addAll(runner.process(messages(20, 50), 20));
            assertThat(runner.perMessageRuns()).isEqualTo(50);
            // kinds: once per batch, also in the new DuckDB.
            assertThat(runner.batchedRuns()).isGreaterThanOrEqualTo(2);

            assertThat(outcomes).hasSize(50);
            for (int i = 0; i < 50; i++) {
                MessageOutcome o = outcomes.get(i);
                assertThat(o.deadLetters()).as("message %d", i).isEmpty();
                assertThat(o.rows(0)).as("top of message %d", i).hasSize(1);
                assertThat(o.rows(0).get(0).getField(0)).isEqualTo((long) i);
                assertThat(o.rows(0).get(0).getField(1)).isEqualTo("k" + (i % 3));
                assertThat(o.rows(1)).as("kinds of message %d", i).hasSize(1);
                assertThat(o.rows(1).get(0).getField(0)).isEqualTo(1L);
            }
        }
    }

    @Test
    void aTopNModelRunsPerMessage() throws Exception {
        // DuckDB 2.0.0's late materialization failed internally on this, on the view of one
        // message (a row-id filter); the transform turns that optimizer off.
        OtterTransform transform =
                OtterTransform.builder()
                        .incomingSchema("id BIGINT, kind VARCHAR")
                        .addModel("top", "SELECT * FROM incoming ORDER BY id LIMIT 1")
                        .batchByMessage(false)
                        .build();
        assertThat(transform.model("top").runsBatched()).isFalse();
        try (OtterEngine engine = transform.openEngine()) {
            List<OtterResult> results = engine.process(messages(0, 10), 0);
            assertThat(engine.perMessageRuns()).isEqualTo(10);
            for (int i = 0; i < 10; i++) {
                assertThat(results.get(i).deadLetters()).isEmpty();
                assertThat(results.get(i).rows(0)).hasSize(1);
                assertThat(results.get(i).rows(0).get(0).getField(0)).isEqualTo((long) i);
            }
        }
    }

    private static List<OtterMessage> messages(int from, int to) {
        List<OtterMessage> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(OtterMessage.of("{\"id\": " + i + ", \"kind\": \"k" + (i % 3) + "\"}"));
        }
        return out;
    }
}
