package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.ShapedRow;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of {@link ShapedRow} streams: every record carries its columns ({@link
 * ShapedRowSerializer}).
 */
@Internal
public final class ShapedRowTypeInfo extends TypeInformation<ShapedRow> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<ShapedRow> getTypeClass() {
        return ShapedRow.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    // Flink 2.x: the abstract factory; Flink 1.20: overrides the one that delegates.
    public TypeSerializer<ShapedRow> createSerializer(SerializerConfig config) {
        return new ShapedRowSerializer();
    }

    // Flink 1.20: the abstract factory; Flink 2.x has no such method (kept for 1.20 only).
    @SuppressWarnings("deprecation")
    public TypeSerializer<ShapedRow> createSerializer(ExecutionConfig config) {
        return new ShapedRowSerializer();
    }

    @Override
    public String toString() {
        return "ShapedRow";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ShapedRowTypeInfo;
    }

    @Override
    public int hashCode() {
        return ShapedRowTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof ShapedRowTypeInfo;
    }
}
