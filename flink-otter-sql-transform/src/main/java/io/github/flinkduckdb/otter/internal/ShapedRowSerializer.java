package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.ShapedRow;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Row;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link ShapedRow} as its columns' text (name, DuckDB type, nullability per column) and
 * the row by the Flink row serializer of those columns ({@link FlinkTypes#rowType}). A serializer
 * instance keeps the shapes it met (bounded), so the columns text is parsed once per shape; it is
 * not thread-safe ({@link #duplicate()} gives another).
 */
@Internal
public final class ShapedRowSerializer extends TypeSerializer<ShapedRow> {

    private static final long serialVersionUID = 1L;
    private static final int MAX_SHAPES = 1024;
    private static final char FIELD = '\u0001';
    private static final char COLUMN = '\u0002';

    private transient Map<String, Shape> byKey;
    private transient Map<List<ColumnSchema>, Shape> byColumns;

    /** One shape: its columns, their key text and the row serializer. */
    private static final class Shape {
        final List<ColumnSchema> columns;
        final String key;
        final TypeSerializer<Row> rows;

        Shape(List<ColumnSchema> columns, String key) {
            this.columns = columns;
            this.key = key;
            this.rows = FlinkTypes.rowType(columns).createSerializer(new SerializerConfigImpl());
        }
    }

    private Shape shapeOf(List<ColumnSchema> columns) {
        if (byColumns == null) {
            byColumns = new IdentityHashMap<>();
            byKey = new HashMap<>();
        }
        Shape shape = byColumns.get(columns);
        if (shape == null) {
            String key = key(columns);
            shape = byKey.get(key);
            if (shape == null) {
                shape = remember(new Shape(columns, key));
            }
            if (byColumns.size() >= MAX_SHAPES) {
                byColumns.clear();
            }
            byColumns.put(columns, shape);
        }
        return shape;
    }

    private Shape shapeOf(String key) {
        if (byKey == null) {
            byColumns = new IdentityHashMap<>();
            byKey = new HashMap<>();
        }
        Shape shape = byKey.get(key);
        if (shape == null) {
            shape = remember(new Shape(Collections.unmodifiableList(columns(key)), key));
        }
        return shape;
    }

    private Shape remember(Shape shape) {
        if (byKey.size() >= MAX_SHAPES) {
            byKey.clear();
        }
        byKey.put(shape.key, shape);
        return shape;
    }

    static String key(List<ColumnSchema> columns) {
        StringBuilder sb = new StringBuilder();
        for (ColumnSchema c : columns) {
            boolean other = c.type().id() == DuckDBType.Id.OTHER;
            sb.append(c.name())
                    .append(FIELD)
                    .append(c.type().toSql())
                    .append(FIELD)
                    .append(c.nullable() ? 'n' : 'r')
                    .append(other ? 'o' : 't')
                    .append(COLUMN);
        }
        return sb.toString();
    }

    static List<ColumnSchema> columns(String key) {
        List<ColumnSchema> columns = new ArrayList<>();
        int start = 0;
        while (start < key.length()) {
            int end = key.indexOf(COLUMN, start);
            String column = key.substring(start, end);
            int f1 = column.indexOf(FIELD);
            int f2 = column.lastIndexOf(FIELD);
            String name = column.substring(0, f1);
            String typeText = column.substring(f1 + 1, f2);
            boolean nullable = column.charAt(f2 + 1) == 'n';
            boolean other = column.charAt(f2 + 2) == 'o';
            DuckDBType type = other ? DuckDBType.other(typeText) : DuckDBType.parse(typeText);
            columns.add(new ColumnSchema(name, type, nullable, null));
            start = end + 1;
        }
        return columns;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<ShapedRow> duplicate() {
        return new ShapedRowSerializer();
    }

    @Override
    public ShapedRow createInstance() {
        return null;
    }

    @Override
    public ShapedRow copy(ShapedRow from) {
        Shape shape = shapeOf(from.columns());
        return new ShapedRow(from.columns(), shape.rows.copy(from.row()));
    }

    @Override
    public ShapedRow copy(ShapedRow from, ShapedRow reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ShapedRow record, DataOutputView target) throws IOException {
        Shape shape = shapeOf(record.columns());
        StringValue.writeString(shape.key, target);
        shape.rows.serialize(record.row(), target);
    }

    @Override
    public ShapedRow deserialize(DataInputView source) throws IOException {
        Shape shape = shapeOf(StringValue.readString(source));
        return new ShapedRow(shape.columns, shape.rows.deserialize(source));
    }

    @Override
    public ShapedRow deserialize(ShapedRow reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ShapedRowSerializer;
    }

    @Override
    public int hashCode() {
        return ShapedRowSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<ShapedRow> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: every record carries its columns. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ShapedRow> {
        public Snapshot() {
            super(ShapedRowSerializer::new);
        }
    }
}
