package io.github.flinkduckdb.otter.parquet;

import org.apache.flink.types.Row;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a model's output {@link Row} as one JSON object keyed by column name: the form rows take
 * on their way into the Parquet writer's staging table, where DuckDB casts each field back to the
 * column's type. Temporal values are ISO-8601 strings, decimals exact numbers, {@code byte[]}
 * base64 (decoded by the column expression), non-finite floating point numbers strings ({@code
 * "NaN"}, DuckDB casts them).
 */
final class RowJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private final List<String> names;

    RowJson(List<String> names) {
        this.names = List.copyOf(names);
    }

    String write(Row row) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            Set<String> named = row.getFieldNames(false);
            for (int i = 0; i < names.size(); i++) {
                g.writeFieldName(names.get(i));
                Object value = named != null ? row.getField(names.get(i)) : row.getField(i);
                value(g, value);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write a row as JSON: " + e.getMessage(), e);
        }
        return out.toString();
    }

    static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String) {
            g.writeString((String) v);
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof Integer
                || v instanceof Long
                || v instanceof Short
                || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                if (v instanceof Float) {
                    // Float's own decimal form, so 0.1f stays 0.1 rather than 0.10000000149.
                    g.writeNumber(v.toString());
                } else {
                    g.writeNumber(d);
                }
            } else {
                g.writeString(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            }
        } else if (v instanceof BigDecimal) {
            g.writeNumber(((BigDecimal) v).toPlainString());
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else if (v instanceof byte[]) {
            g.writeString(Base64.getEncoder().encodeToString((byte[]) v));
        } else if (v instanceof TemporalAccessor) {
            g.writeString(v.toString());
        } else if (v instanceof Row) {
            Row r = (Row) v;
            Set<String> fieldNames = r.getFieldNames(true);
            g.writeStartObject();
            if (fieldNames != null) {
                for (String f : fieldNames) {
                    g.writeFieldName(f);
                    value(g, r.getField(f));
                }
            } else {
                for (int i = 0; i < r.getArity(); i++) {
                    g.writeFieldName("f" + i);
                    value(g, r.getField(i));
                }
            }
            g.writeEndObject();
        } else if (v instanceof Object[]) {
            g.writeStartArray();
            for (Object o : (Object[]) v) {
                value(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Collection) {
            g.writeStartArray();
            for (Object o : (Collection<?>) v) {
                value(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                value(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(v.toString());
        }
    }
}
