package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.conversion.ConversionFailure;
import io.github.flinkduckdb.conversion.DuckDBValueReader;
import io.github.flinkduckdb.conversion.ValueConverter;
import io.github.flinkduckdb.conversion.ValueReadException;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.types.RowUtils;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Reads a model's result rows into Flink {@link Row}s of the model's output schema (stage {@code
 * convert}). Without a declared output schema the values keep DuckDB's types; with one, each value
 * is converted with the DuckDB sink's strict rules (the same a {@code DuckDBSink} applies), so a
 * value that would not fit the target column (out of range, more decimals than the column has, NULL
 * in a NOT NULL column) is caught here, per message, instead of failing the sink.
 */
@Internal
public final class ModelRowReader {

    private final List<ColumnSchema> modelColumns;
    private final List<ColumnSchema> declared;
    private final DuckDBValueReader[] modelReaders;
    private final boolean[] timestampColumn;
    private final int[] sourceIndex;
    private final DuckDBValueReader[] declaredReaders;
    private final LinkedHashMap<String, Integer> positionByName;

    public ModelRowReader(ModelAnalysis analysis) {
        this.modelColumns = analysis.modelColumns();
        this.declared = analysis.hasDeclaredOutput() ? analysis.outputColumns() : null;
        int n = modelColumns.size();
        this.modelReaders = new DuckDBValueReader[n];
        this.timestampColumn = new boolean[n];
        for (int i = 0; i < n; i++) {
            DuckDBType type = modelColumns.get(i).type();
            modelReaders[i] = DuckDBValueReader.of(type);
            timestampColumn[i] =
                    type.id() == DuckDBType.Id.TIMESTAMP
                            || type.id() == DuckDBType.Id.TIMESTAMP_MS
                            || type.id() == DuckDBType.Id.TIMESTAMP_S
                            || type.id() == DuckDBType.Id.TIMESTAMP_NS;
        }
        List<ColumnSchema> output = analysis.outputColumns();
        this.positionByName = new LinkedHashMap<>();
        for (int i = 0; i < output.size(); i++) {
            positionByName.put(output.get(i).name(), i);
        }
        if (declared != null) {
            sourceIndex = new int[declared.size()];
            declaredReaders = new DuckDBValueReader[declared.size()];
            for (int j = 0; j < declared.size(); j++) {
                String name = declared.get(j).name().toLowerCase(Locale.ROOT);
                sourceIndex[j] = -1;
                for (int i = 0; i < n; i++) {
                    if (modelColumns.get(i).name().toLowerCase(Locale.ROOT).equals(name)) {
                        sourceIndex[j] = i;
                    }
                }
                declaredReaders[j] = DuckDBValueReader.of(declared.get(j).type());
            }
        } else {
            sourceIndex = null;
            declaredReaders = null;
        }
    }

    /** The number of columns the model's query returns (before the batch's position column). */
    public int modelColumnCount() {
        return modelColumns.size();
    }

    /**
     * Reads the current row of {@code rs} (columns 1..n are the model's).
     *
     * @throws RowConversionException when a value does not fit the output schema
     */
    public Row read(ResultSet rs) throws SQLException, RowConversionException {
        int n = modelColumns.size();
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            Object raw =
                    timestampColumn[i]
                            ? rs.getObject(i + 1, LocalDateTime.class)
                            : rs.getObject(i + 1);
            if (raw == null) {
                continue;
            }
            try {
                values[i] = modelReaders[i].read(raw);
            } catch (ValueReadException e) {
                throw new RowConversionException(
                        "column '" + modelColumns.get(i).name() + "': " + e.getMessage());
            }
        }
        if (declared == null) {
            return RowUtils.createRowWithNamedPositions(RowKind.INSERT, values, positionByName);
        }
        Object[] out = new Object[declared.size()];
        for (int j = 0; j < declared.size(); j++) {
            ColumnSchema column = declared.get(j);
            Object value = values[sourceIndex[j]];
            if (value == null) {
                if (!column.nullable()) {
                    throw new RowConversionException(
                            "column '" + column.name() + "' is NOT NULL but the model gave NULL");
                }
                continue;
            }
            try {
                Object converted = ValueConverter.convert(value, column.type());
                out[j] = declaredReaders[j].read(converted);
            } catch (ConversionFailure f) {
                String where =
                        "column '"
                                + column.name()
                                + "'"
                                + (f.path().isEmpty() ? "" : " at " + f.path());
                throw new RowConversionException(
                        where + " (" + column.type().toSql() + "): " + f.getMessage());
            } catch (ValueReadException e) {
                throw new RowConversionException(
                        "column '" + column.name() + "': " + e.getMessage());
            }
        }
        return RowUtils.createRowWithNamedPositions(RowKind.INSERT, out, positionByName);
    }

    /** A row that does not fit the model's output schema. */
    public static final class RowConversionException extends Exception {
        private static final long serialVersionUID = 1L;

        public RowConversionException(String message) {
            super(message, null, false, false);
        }
    }
}
