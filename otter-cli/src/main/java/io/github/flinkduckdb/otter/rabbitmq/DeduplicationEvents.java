package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.api.connector.source.SourceEvent;

import java.util.List;

/**
 * The start-up exchange of de-duplication ids: every reader reports the ids it restored, the
 * enumerator answers every reader with the union once all of them reported.
 */
final class DeduplicationEvents {

    private DeduplicationEvents() {}

    /** Reader to enumerator: the pending ids this reader restored (maybe none). */
    static final class RestoredIds implements SourceEvent {
        private static final long serialVersionUID = 1L;
        final List<String> ids;

        RestoredIds(List<String> ids) {
            this.ids = List.copyOf(ids);
        }
    }

    /** Enumerator to readers: the union of every reader's restored ids; consuming may start. */
    static final class KnownIds implements SourceEvent {
        private static final long serialVersionUID = 1L;
        final List<String> ids;

        KnownIds(List<String> ids) {
            this.ids = List.copyOf(ids);
        }
    }
}
