package io.github.flinkduckdb.otter.runner;

import java.util.Objects;
import java.util.stream.Stream;

/**
 * An exception's cause chain. What a job's failure says reaches the run wrapped, and wrapped
 * differently by the MiniCluster and the REST client ({@code ExecutionException}, {@code
 * CompletionException}, {@code JobExecutionException}, {@code SerializedThrowable}), so the run
 * looks for it at any depth rather than at the top.
 */
final class Causes {

    private Causes() {}

    /**
     * {@code e}, then its cause, then that one's, outermost first. The stream is lazy: a search
     * that stops at the first match reads no deeper. An exception whose {@code getCause()} returns
     * itself ends the chain (the default {@link Throwable#getCause()} never does, an override may);
     * longer cycles are not looked for.
     */
    static Stream<Throwable> chain(Throwable e) {
        return Stream.iterate(e, Objects::nonNull, t -> t.getCause() == t ? null : t.getCause());
    }
}
