package io.github.flinkduckdb.source;

import org.apache.flink.annotation.Internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The splits the enumerator has not handed out yet, and whether it has planned them. */
@Internal
public final class DuckDBEnumeratorState {

    private final boolean planned;
    private final List<DuckDBSourceSplit> remaining;

    public DuckDBEnumeratorState(boolean planned, List<DuckDBSourceSplit> remaining) {
        this.planned = planned;
        this.remaining = Collections.unmodifiableList(new ArrayList<>(remaining));
    }

    public boolean planned() {
        return planned;
    }

    public List<DuckDBSourceSplit> remaining() {
        return remaining;
    }
}
