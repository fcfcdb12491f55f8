package io.github.flinkduckdb.otter.runner;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The cause chain {@link OtterRun} and {@link SavepointStop} search, cycles included. */
class CausesTest {

    @Test
    void theChainRunsOutermostFirstToTheRootCause() {
        IllegalStateException root = new IllegalStateException("root");
        ExecutionException wrapped = new ExecutionException(new CompletionException(root));

        assertThat(Causes.chain(wrapped).map(t -> t.getClass().getSimpleName()))
                .containsExactly(
                        "ExecutionException", "CompletionException", "IllegalStateException");
    }

    @Test
    void twoExceptionsThatAreEachOthersCauseEndTheChainOnce() {
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);

        assertThat(Causes.chain(a).map(Throwable::getMessage).collect(Collectors.toList()))
                .containsExactly("a", "b");
    }

    @Test
    void anExceptionThatIsItsOwnCauseAppearsOnce() {
        Exception self =
                new Exception("self") {
                    @Override
                    public synchronized Throwable getCause() {
                        return this;
                    }
                };

        assertThat(Causes.chain(self)).containsExactly(self);
    }
}
