package io.github.flinkduckdb.otter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invariant: for every generated message and every model, the micro-batched engine yields
 * exactly the rows (in order) and dead letters that the model run on that message alone yields.
 */
class MicroBatchEquivalenceTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 2L})
    void microBatchedOutputEqualsPerMessageExecution(long seed) throws Exception {
        OtterTransform transform = GeneratedMessages.transform().build();
        assertThat(transform.models().stream().filter(m -> m.isRowLocal()).count()).isEqualTo(12);
        List<String> messages = new GeneratedMessages(seed).take(600);

        List<OtterResult> batched;
        try (OtterEngine engine = transform.openEngine()) {
            batched = PerMessageReference.inRandomChunks(engine, messages, seed);
            assertThat(engine.batchedRuns()).isGreaterThan(0);
            assertThat(engine.batchSplits()).as("failing casts split batches").isGreaterThan(0);
        }

        int rows = 0;
        int deadLetters = 0;
        try (PerMessageReference reference = new PerMessageReference(transform)) {
            for (int i = 0; i < messages.size(); i++) {
                PerMessageReference.Outcome expected = reference.run(messages.get(i));
                OtterResult actual = batched.get(i);
                for (int m = 0; m < transform.models().size(); m++) {
                    assertThat(actual.rows(m))
                            .as(
                                    "model %s, message %d: %s",
                                    transform.modelNames().get(m), i, messages.get(i))
                            .isEqualTo(expected.rows.get(m));
                    rows += actual.rows(m).size();
                }
                List<String> actualDeadLetters = PerMessageReference.deadLetters(actual);
                assertThat(actualDeadLetters)
                        .as("dead letters of message %d: %s", i, messages.get(i))
                        .isEqualTo(expected.deadLetters);
                deadLetters += actualDeadLetters.size();
            }
        }
        // The generator exercises every outcome.
        assertThat(rows).isGreaterThan(3_000);
        assertThat(deadLetters).isGreaterThan(20);
    }
}
