package io.github.flinkduckdb.otter.internal;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model row as column name to value, nested STRUCTs as maps and LISTs as lists: the shape {@code
 * DuckDBSink.forMaps} and {@code forKeyedBatches} take.
 */
@Internal
public final class RowToMap implements MapFunction<Row, Map<String, Object>> {

    private static final long serialVersionUID = 1L;

    private final String[] names;

    public RowToMap(String[] names) {
        this.names = names.clone();
    }

    @Override
    public Map<String, Object> map(Row row) {
        Map<String, Object> out = new LinkedHashMap<>(names.length * 2);
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], value(row.getField(i)));
        }
        return out;
    }

    /** Converts nested rows and arrays; scalars stay as they are. */
    public static Object value(Object v) {
        if (v instanceof Row) {
            Row row = (Row) v;
            Set<String> names = row.getFieldNames(true);
            Map<String, Object> out = new LinkedHashMap<>();
            if (names == null) {
                for (int i = 0; i < row.getArity(); i++) {
                    out.put("f" + i, value(row.getField(i)));
                }
            } else {
                for (String name : names) {
                    out.put(name, value(row.getField(name)));
                }
            }
            return out;
        }
        if (v instanceof Object[]) {
            Object[] in = (Object[]) v;
            List<Object> out = new ArrayList<>(in.length);
            for (Object o : in) {
                out.add(value(o));
            }
            return out;
        }
        if (v instanceof Map) {
            Map<?, ?> in = (Map<?, ?>) v;
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : in.entrySet()) {
                out.put(e.getKey(), value(e.getValue()));
            }
            return out;
        }
        return v;
    }
}
