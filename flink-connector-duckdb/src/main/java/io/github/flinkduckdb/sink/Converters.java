package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.schema.DuckDBTableSchema;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.types.Row;

import java.util.List;
import java.util.Map;

/** The ready-made {@link RecordConverter}s behind {@link DuckDBSink}'s shape factories. */
final class Converters {

    private Converters() {}

    /** {@code (batchId, rows)}: one atomic batch per record. */
    static final class KeyedBatches
            implements RecordConverter<Tuple2<String, List<Map<String, Object>>>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void convert(Tuple2<String, List<Map<String, Object>>> record, RowCollector out) {
            if (record == null) {
                throw new DuckDBSinkException("A null keyed batch was given to the DuckDB sink");
            }
            if (record.f0 == null) {
                throw new DuckDBSinkException(
                        "A keyed batch has a null batch id (field f0); every batch needs an id");
            }
            if (record.f1 == null) {
                throw new DuckDBSinkException(
                        "Batch '"
                                + record.f0
                                + "' has a null row list (field f1); send an empty list for no rows");
            }
            out.beginBatch(record.f0);
            for (Map<String, Object> row : record.f1) {
                out.addMap(row);
            }
            out.endBatch();
        }
    }

    /** One {@code Map<String, Object>} per row. */
    static final class Maps implements RecordConverter<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void convert(Map<String, Object> record, RowCollector out) {
            out.addMap(record);
        }
    }

    /** One Flink {@link Row} per row. */
    static final class Rows implements RecordConverter<Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public void convert(Row record, RowCollector out) {
            out.addRow(record);
        }
    }

    /** A {@link RowWriter}: one row per record, of the record's kind, appended directly. */
    static final class Typed<IN> implements RecordConverter<IN> {
        private static final long serialVersionUID = 1L;
        private final RowWriter<IN> writer;

        Typed(RowWriter<IN> writer) {
            this.writer = writer;
        }

        @Override
        public void open(DuckDBTableSchema schema) throws Exception {
            writer.open(schema);
        }

        @Override
        public void convert(IN record, RowCollector out) throws Exception {
            DuckDBRowAppender row = out.beginRow(writer.kind(record));
            writer.write(record, row);
            row.endRow();
        }
    }
}
