package io.github.flinkduckdb.conversion;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.types.Row;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The nested half of {@link ValueConverter}: LIST and ARRAY from collections and arrays, MAP from
 * maps, STRUCT from maps (fields by name, case-insensitively), Rows (by name or position) and lists
 * (by position). Each element goes through {@link ValueConverter#convert} again; a failure names
 * its path ({@code items[2].price}).
 */
final class NestedValues {

    private NestedValues() {}

    static List<Object> list(Object v, DuckDBType type) throws ConversionFailure {
        DuckDBType element = type.elementType();
        List<Object> out;
        if (v instanceof Collection) {
            Collection<?> c = (Collection<?>) v;
            out = new ArrayList<>(c.size());
            int i = 0;
            for (Object o : c) {
                out.add(element(o, element, i++));
            }
        } else if (v.getClass().isArray()
                && !(v instanceof byte[] && element.id() == DuckDBType.Id.BLOB)) {
            int n = Array.getLength(v);
            out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(element(Array.get(v, i), element, i));
            }
        } else {
            throw ValueConverter.fail(type, v, "expected a Collection or an array");
        }
        if (type.id() == DuckDBType.Id.ARRAY && out.size() != type.arraySize()) {
            throw ValueConverter.fail(
                    type,
                    v,
                    "has "
                            + out.size()
                            + " elements, "
                            + type.toSql()
                            + " needs "
                            + type.arraySize());
        }
        return out;
    }

    private static Object element(Object o, DuckDBType element, int index)
            throws ConversionFailure {
        try {
            return ValueConverter.convert(o, element);
        } catch (ConversionFailure f) {
            throw f.within("[" + index + "]");
        }
    }

    static Map<Object, Object> map(Object v, DuckDBType type) throws ConversionFailure {
        if (!(v instanceof Map)) {
            throw ValueConverter.fail(type, v, "expected a Map");
        }
        Map<?, ?> in = (Map<?, ?>) v;
        Map<Object, Object> out = new LinkedHashMap<>(Math.max(4, in.size() * 2));
        for (Map.Entry<?, ?> e : in.entrySet()) {
            if (e.getKey() == null) {
                throw ValueConverter.fail(type, v, "MAP keys must not be null");
            }
            Object key;
            try {
                key = ValueConverter.convert(e.getKey(), type.keyType());
            } catch (ConversionFailure f) {
                throw f.within("key");
            }
            Object value;
            try {
                value = ValueConverter.convert(e.getValue(), type.valueType());
            } catch (ConversionFailure f) {
                throw f.within("[" + e.getKey() + "]");
            }
            out.put(key, value);
        }
        return out;
    }

    static Map<String, Object> struct(Object v, DuckDBType type) throws ConversionFailure {
        List<DuckDBType.Field> fields = type.children();
        LinkedHashMap<String, Object> out = new LinkedHashMap<>(fields.size() * 2);
        if (v instanceof Map) {
            Map<?, ?> in = (Map<?, ?>) v;
            Map<String, Object> byLowerName = new HashMap<>(in.size() * 2);
            for (Map.Entry<?, ?> e : in.entrySet()) {
                byLowerName.put(String.valueOf(e.getKey()).toLowerCase(Locale.ROOT), e.getValue());
            }
            Set<String> known = new HashSet<>();
            for (DuckDBType.Field f : fields) {
                String lower = f.name().toLowerCase(Locale.ROOT);
                known.add(lower);
                out.put(f.name(), field(byLowerName.get(lower), f));
            }
            for (Object key : in.keySet()) {
                if (!known.contains(String.valueOf(key).toLowerCase(Locale.ROOT))) {
                    throw ValueConverter.fail(type, v, "has no field '" + key + "'");
                }
            }
        } else if (v instanceof Row) {
            Row row = (Row) v;
            Set<String> names = row.getFieldNames(true);
            if (names != null) {
                for (DuckDBType.Field f : fields) {
                    out.put(
                            f.name(),
                            names.contains(f.name()) ? field(row.getField(f.name()), f) : null);
                }
            } else {
                if (row.getArity() != fields.size()) {
                    throw ValueConverter.fail(
                            type,
                            v,
                            "has " + row.getArity() + " fields, the STRUCT has " + fields.size());
                }
                for (int i = 0; i < fields.size(); i++) {
                    out.put(fields.get(i).name(), field(row.getField(i), fields.get(i)));
                }
            }
        } else if (v instanceof List) {
            List<?> in = (List<?>) v;
            if (in.size() != fields.size()) {
                throw ValueConverter.fail(
                        type, v, "has " + in.size() + " values, the STRUCT has " + fields.size());
            }
            for (int i = 0; i < fields.size(); i++) {
                out.put(fields.get(i).name(), field(in.get(i), fields.get(i)));
            }
        } else {
            throw ValueConverter.fail(type, v, "expected a Map, a Row or a List for a STRUCT");
        }
        return out;
    }

    private static Object field(Object value, DuckDBType.Field f) throws ConversionFailure {
        try {
            return ValueConverter.convert(value, f.type());
        } catch (ConversionFailure e) {
            throw e.within(f.name());
        }
    }
}
