package io.github.flinkduckdb.source;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.table.data.RowData;

import java.util.Map;
import java.util.function.Supplier;

/** Asks the enumerator for a split, reads it, asks again; tracks rows emitted per split. */
@Internal
final class DuckDBSourceReader
        extends SingleThreadMultiplexSourceReaderBase<
                RowData, RowData, DuckDBSourceSplit, DuckDBSourceReader.SplitState> {

    DuckDBSourceReader(
            Supplier<SplitReader<RowData, DuckDBSourceSplit>> splitReader,
            Configuration config,
            SourceReaderContext context) {
        super(splitReader, new Emitter(), config, context);
    }

    @Override
    public void start() {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, SplitState> finishedSplitIds) {
        context.sendSplitRequest();
    }

    @Override
    protected SplitState initializedState(DuckDBSourceSplit split) {
        return new SplitState(split);
    }

    @Override
    protected DuckDBSourceSplit toSplitType(String splitId, SplitState state) {
        return state.split.withOffset(state.emitted);
    }

    /** A split and the rows of it emitted so far. */
    static final class SplitState {
        final DuckDBSourceSplit split;
        long emitted;

        SplitState(DuckDBSourceSplit split) {
            this.split = split;
            this.emitted = split.offset();
        }
    }

    private static final class Emitter implements RecordEmitter<RowData, RowData, SplitState> {
        @Override
        public void emitRecord(RowData row, SourceOutput<RowData> output, SplitState state) {
            output.collect(row);
            state.emitted++;
        }
    }
}
