package io.github.flinkduckdb.conversion;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.types.Row;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * The project's one JSON encoding of a Java value, written with Flink's shaded Jackson: maps and
 * {@link Row}s as objects (a row without field names keyed {@code f0}, {@code f1}, ...), lists and
 * arrays as arrays, whole numbers and {@link BigDecimal}s exact, non-finite floating point numbers
 * as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, {@code byte[]} as base64,
 * everything else (java.time values, UUIDs, enums) as its {@code toString()} text. DuckDB reads
 * every one of these back with a cast to the column's type. Used for DuckDB {@code JSON} columns
 * and for values staged as JSON text and cast back in SQL.
 */
@Internal
public final class JsonText {

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonText() {}

    /** {@code value} as JSON text. */
    public static String write(Object value) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            // A StringWriter does not fail.
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes {@code value} to {@code g}. */
    public static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof CharSequence || v instanceof Character || v instanceof Enum) {
            g.writeString(v.toString());
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof Integer
                || v instanceof Long
                || v instanceof Short
                || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else if (v instanceof BigDecimal) {
            g.writeNumber(((BigDecimal) v).toPlainString());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                // The type's own decimal form, so 0.1f stays 0.1 rather than 0.10000000149.
                g.writeNumber(v.toString());
            } else {
                g.writeString(v.toString());
            }
        } else if (v instanceof Number) {
            g.writeNumber(v.toString());
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection) {
            g.writeStartArray();
            for (Object o : (Collection<?>) v) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof byte[]) {
            g.writeString(Base64.getEncoder().encodeToString((byte[]) v));
        } else if (v instanceof Object[]) {
            g.writeStartArray();
            for (Object o : (Object[]) v) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v.getClass().isArray()) {
            g.writeStartArray();
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                write(g, Array.get(v, i));
            }
            g.writeEndArray();
        } else if (v instanceof Row) {
            row(g, (Row) v);
        } else {
            g.writeString(v.toString());
        }
    }

    private static void row(JsonGenerator g, Row row) throws IOException {
        g.writeStartObject();
        Set<String> names = row.getFieldNames(true);
        if (names != null) {
            for (String name : names) {
                g.writeFieldName(name);
                write(g, row.getField(name));
            }
        } else {
            for (int i = 0; i < row.getArity(); i++) {
                g.writeFieldName("f" + i);
                write(g, row.getField(i));
            }
        }
        g.writeEndObject();
    }
}
