package io.github.flinkduckdb.otter.runner;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
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
     * that stops at the first match reads no deeper. The chain ends at an exception met before:
     * {@link Throwable#initCause} refuses only an exception's own self, so two exceptions can be
     * each other's cause, and an override of {@code getCause()} may return anything.
     */
    static Stream<Throwable> chain(Throwable e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return Stream.iterate(e, t -> t != null && seen.add(t), Throwable::getCause);
    }
}
