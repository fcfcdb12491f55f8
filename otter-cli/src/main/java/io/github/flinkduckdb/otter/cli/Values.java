package io.github.flinkduckdb.otter.cli;

import org.apache.flink.types.Row;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/** How {@code otter test} and {@code --dry-run} show values: as DuckDB prints them. */
final class Values {

    private Values() {}

    /**
     * DuckDB's text form: {@code NULL}, {@code 2024-05-01 09:15:00}, {@code [a, b]}, {@code {'k':
     * 1}}.
     */
    static String text(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        if (v instanceof LocalDateTime) {
            LocalDateTime t = (LocalDateTime) v;
            return t.toLocalDate() + " " + time(t.toLocalTime());
        }
        if (v instanceof LocalTime) {
            return time((LocalTime) v);
        }
        if (v instanceof byte[]) {
            // DuckDB's BLOB text: printable ASCII as is, other bytes as \xAB.
            StringBuilder sb = new StringBuilder();
            for (byte b : (byte[]) v) {
                int c = b & 0xff;
                if (c >= 0x20 && c < 0x7f && c != '\\') {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02X", c));
                }
            }
            return sb.toString();
        }
        if (v instanceof Row) {
            Row r = (Row) v;
            StringJoiner j = new StringJoiner(", ", "{", "}");
            Set<String> names = r.getFieldNames(true);
            if (names != null) {
                for (String n : names) {
                    j.add("'" + n + "': " + nested(r.getField(n)));
                }
            } else {
                for (int i = 0; i < r.getArity(); i++) {
                    j.add(nested(r.getField(i)));
                }
            }
            return j.toString();
        }
        if (v instanceof Object[]) {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            for (Object o : (Object[]) v) {
                j.add(nested(o));
            }
            return j.toString();
        }
        if (v instanceof Collection) {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            for (Object o : (Collection<?>) v) {
                j.add(nested(o));
            }
            return j.toString();
        }
        if (v instanceof Map) {
            StringJoiner j = new StringJoiner(", ", "{", "}");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                j.add(nested(e.getKey()) + "=" + nested(e.getValue()));
            }
            return j.toString();
        }
        return v.toString();
    }

    private static String nested(Object v) {
        return v instanceof String ? "'" + v + "'" : text(v);
    }

    private static String time(LocalTime t) {
        String s = String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
        if (t.getNano() != 0) {
            String frac = String.format("%09d", t.getNano());
            frac = frac.substring(0, 6).replaceAll("0+$", "");
            if (!frac.isEmpty()) {
                s += "." + frac;
            }
        }
        return s;
    }

    /** Writes a value as JSON: numbers exact, temporal values as DuckDB text, nested as JSON. */
    static void json(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Boolean) {
            g.writeBoolean((Boolean) v);
        } else if (v instanceof BigDecimal) {
            g.writeNumber((BigDecimal) v);
        } else if (v instanceof BigInteger) {
            g.writeNumber((BigInteger) v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeString(String.valueOf(d));
            }
        } else if (v instanceof Number) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Row) {
            Row r = (Row) v;
            g.writeStartObject();
            Set<String> names = r.getFieldNames(true);
            int i = 0;
            for (String n : names == null ? java.util.List.<String>of() : names) {
                g.writeFieldName(n);
                json(g, r.getField(n));
                i++;
            }
            if (names == null) {
                for (; i < r.getArity(); i++) {
                    g.writeFieldName("f" + i);
                    json(g, r.getField(i));
                }
            }
            g.writeEndObject();
        } else if (v instanceof Object[]) {
            g.writeStartArray();
            for (Object o : (Object[]) v) {
                json(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Collection) {
            g.writeStartArray();
            for (Object o : (Collection<?>) v) {
                json(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                json(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeString(text(v));
        }
    }
}
