package io.github.flinkduckdb.otter.model;

import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The declared shape of every message: a DuckDB {@code STRUCT} whose fields are the columns of the
 * {@code incoming} table. Declaring it makes typing strict and identical for one message and for a
 * batch: a value that does not fit its field's type is a dead letter (stage {@code parse}), never a
 * silent NULL or rounding; a missing field is NULL; a field that is not declared is ignored.
 *
 * <p>Write it as a STRUCT, {@code STRUCT(order_id BIGINT, "user" STRUCT(id BIGINT, name VARCHAR))},
 * or as a column list, {@code order_id BIGINT, "user" STRUCT(id BIGINT, name VARCHAR)}; or infer it
 * from sample messages with {@link #inferFromSamples(Collection)}.
 */
@PublicEvolving
public final class IncomingSchema implements Serializable {

    private static final long serialVersionUID = 1L;

    private final DuckDBType type;

    private IncomingSchema(DuckDBType type) {
        if (type.id() != DuckDBType.Id.STRUCT) {
            throw new IllegalArgumentException(
                    "The incoming schema must be a STRUCT (one field per column), got "
                            + type.toSql());
        }
        Set<String> names = new HashSet<>();
        for (DuckDBType.Field field : type.children()) {
            if (field.name() == null || field.name().isEmpty()) {
                throw new IllegalArgumentException(
                        "Every field of the incoming schema needs a name: " + type.toSql());
            }
            if (!names.add(field.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "The incoming schema has the column '"
                                + field.name()
                                + "' twice (DuckDB column names ignore case)");
            }
            checkSupported(field.type(), field.name());
        }
        this.type = type;
    }

    /** A schema from a STRUCT type. */
    public static IncomingSchema of(DuckDBType struct) {
        return new IncomingSchema(struct);
    }

    /**
     * Parses {@code STRUCT(a BIGINT, ...)} or the column list {@code a BIGINT, ...}. The types are
     * checked by DuckDB when the transform is built.
     */
    public static IncomingSchema parse(String text) {
        if (text == null || text.trim().isEmpty()) {
            throw new IllegalArgumentException("The incoming schema is empty");
        }
        String trimmed = text.trim();
        String upper = trimmed.toUpperCase(Locale.ROOT);
        boolean struct =
                (upper.startsWith("STRUCT(") || upper.startsWith("STRUCT ("))
                        && trimmed.endsWith(")")
                        && isSingleStruct(trimmed);
        DuckDBType type = DuckDBType.parse(struct ? trimmed : "STRUCT(" + trimmed + ")");
        return new IncomingSchema(type);
    }

    private static boolean isSingleStruct(String text) {
        // "STRUCT(a INT), b INT" is a column list whose first column is named STRUCT... it is not;
        // a single STRUCT closes its parenthesis only at the very end.
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
                if (depth == 0 && i != text.length() - 1) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Infers a schema from sample messages (JSON objects): integers become BIGINT (HUGEINT when
     * larger), numbers with a fraction or mixed with integers DOUBLE, strings VARCHAR, objects
     * STRUCT, arrays LIST; a field that is always null, an empty object and values of conflicting
     * kinds become JSON. Strings are not sniffed for dates: declare TIMESTAMP fields yourself.
     */
    public static IncomingSchema inferFromSamples(Collection<String> samples) {
        if (samples == null || samples.isEmpty()) {
            throw new IllegalArgumentException("No sample messages to infer the schema from");
        }
        ObjectMapper mapper = new ObjectMapper();
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        Shape shape = null;
        int index = 0;
        for (String sample : samples) {
            index++;
            JsonNode node;
            try {
                node = mapper.readTree(sample);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        "Sample message " + index + " is not valid JSON: " + e.getOriginalMessage(),
                        e);
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(
                        "Sample message " + index + " is not a JSON object");
            }
            shape = Shape.merge(shape, Shape.of(node));
        }
        DuckDBType type = shape.toType();
        if (type.id() != DuckDBType.Id.STRUCT) {
            throw new IllegalArgumentException(
                    "The sample messages have no fields to infer a schema from");
        }
        return new IncomingSchema(type);
    }

    private static final ObjectMapper MESSAGE_READER =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * The schema of one message typed alone, as {@link #inferFromSamples} types a single sample:
     * what a project without a declared schema runs each message with. Integers are BIGINT (HUGEINT
     * when larger), other numbers DOUBLE, strings VARCHAR, objects STRUCT, arrays LIST of their
     * elements' merged shape, nulls JSON.
     *
     * @throws IllegalArgumentException when the message is not a JSON object with at least one
     *     field
     */
    public static IncomingSchema inferFromMessage(byte[] json) {
        JsonNode node;
        try {
            node = MESSAGE_READER.readTree(json);
        } catch (IOException e) {
            String reason =
                    e instanceof JsonProcessingException
                            ? ((JsonProcessingException) e).getOriginalMessage()
                            : e.getMessage();
            throw new IllegalArgumentException("the message is not valid JSON: " + reason, e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the message is not a JSON object");
        }
        if (node.size() == 0) {
            throw new IllegalArgumentException(
                    "the message is an empty JSON object: it has no field to make a column of");
        }
        return new IncomingSchema(Shape.of(node).toType());
    }

    /** The STRUCT type. */
    public DuckDBType type() {
        return type;
    }

    /** The columns of {@code incoming}, in order. */
    public List<DuckDBType.Field> fields() {
        return type.children();
    }

    /** The column definitions for {@code CREATE TABLE}, e.g. {@code "a" BIGINT, "b" VARCHAR}. */
    public String columnDefinitions() {
        StringBuilder sb = new StringBuilder();
        for (DuckDBType.Field field : type.children()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(SqlIdentifiers.quote(field.name())).append(' ').append(field.type().toSql());
        }
        return sb.toString();
    }

    /** The structure argument of DuckDB's {@code json_transform_strict}. */
    public String jsonStructure() {
        ObjectNode node = new ObjectMapper().createObjectNode();
        for (DuckDBType.Field field : type.children()) {
            node.put(field.name(), field.type().toSql());
        }
        return node.toString();
    }

    private static void checkSupported(DuckDBType type, String path) {
        switch (type.id()) {
            case UNION:
            case OTHER:
                throw new IllegalArgumentException(
                        "Field '"
                                + path
                                + "' of the incoming schema has the type "
                                + type.toSql()
                                + ", which JSON messages cannot carry; use JSON or VARCHAR");
            case MAP:
                if (type.keyType().id() != DuckDBType.Id.VARCHAR) {
                    throw new IllegalArgumentException(
                            "Field '"
                                    + path
                                    + "' of the incoming schema is a MAP with "
                                    + type.keyType().toSql()
                                    + " keys; JSON object keys are strings, use MAP(VARCHAR, ...)");
                }
                checkSupported(type.valueType(), path + ".value");
                return;
            case LIST:
            case ARRAY:
                checkSupported(type.elementType(), path + "[]");
                return;
            case STRUCT:
                for (DuckDBType.Field f : type.children()) {
                    checkSupported(f.type(), path + "." + f.name());
                }
                return;
            default:
                return;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IncomingSchema && type.equals(((IncomingSchema) o).type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public String toString() {
        return type.toSql();
    }

    /** The inferred shape of a JSON value, merged over samples. */
    private static final class Shape {
        enum Kind {
            NULL,
            BOOLEAN,
            BIGINT,
            HUGEINT,
            DOUBLE,
            VARCHAR,
            STRUCT,
            LIST,
            JSON
        }

        final Kind kind;
        final Map<String, Shape> fields;
        final Shape element;

        Shape(Kind kind, Map<String, Shape> fields, Shape element) {
            this.kind = kind;
            this.fields = fields;
            this.element = element;
        }

        static Shape scalar(Kind kind) {
            return new Shape(kind, null, null);
        }

        static Shape of(JsonNode node) {
            if (node == null || node.isNull() || node.isMissingNode()) {
                return scalar(Kind.NULL);
            }
            if (node.isBoolean()) {
                return scalar(Kind.BOOLEAN);
            }
            if (node.isIntegralNumber()) {
                return scalar(node.canConvertToLong() ? Kind.BIGINT : Kind.HUGEINT);
            }
            if (node.isNumber()) {
                return scalar(Kind.DOUBLE);
            }
            if (node.isTextual()) {
                return scalar(Kind.VARCHAR);
            }
            if (node.isObject()) {
                Map<String, Shape> fields = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = node.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    fields.put(e.getKey(), of(e.getValue()));
                }
                return new Shape(Kind.STRUCT, fields, null);
            }
            if (node.isArray()) {
                Shape element = null;
                for (JsonNode child : node) {
                    element = merge(element, of(child));
                }
                return new Shape(Kind.LIST, null, element == null ? scalar(Kind.NULL) : element);
            }
            return scalar(Kind.JSON);
        }

        static Shape merge(Shape a, Shape b) {
            if (a == null || a.kind == Kind.NULL) {
                return b;
            }
            if (b == null || b.kind == Kind.NULL) {
                return a;
            }
            if (a.kind == b.kind) {
                switch (a.kind) {
                    case STRUCT:
                        Map<String, Shape> fields = new LinkedHashMap<>(a.fields);
                        for (Map.Entry<String, Shape> e : b.fields.entrySet()) {
                            fields.put(e.getKey(), merge(fields.get(e.getKey()), e.getValue()));
                        }
                        return new Shape(Kind.STRUCT, fields, null);
                    case LIST:
                        return new Shape(Kind.LIST, null, merge(a.element, b.element));
                    default:
                        return a;
                }
            }
            if (isNumber(a.kind) && isNumber(b.kind)) {
                if (a.kind == Kind.DOUBLE || b.kind == Kind.DOUBLE) {
                    return scalar(Kind.DOUBLE);
                }
                return scalar(Kind.HUGEINT);
            }
            return scalar(Kind.JSON);
        }

        private static boolean isNumber(Kind k) {
            return k == Kind.BIGINT || k == Kind.HUGEINT || k == Kind.DOUBLE;
        }

        DuckDBType toType() {
            switch (kind) {
                case BOOLEAN:
                    return DuckDBType.of(DuckDBType.Id.BOOLEAN);
                case BIGINT:
                    return DuckDBType.of(DuckDBType.Id.BIGINT);
                case HUGEINT:
                    return DuckDBType.of(DuckDBType.Id.HUGEINT);
                case DOUBLE:
                    return DuckDBType.of(DuckDBType.Id.DOUBLE);
                case VARCHAR:
                    return DuckDBType.of(DuckDBType.Id.VARCHAR);
                case STRUCT:
                    if (fields.isEmpty()) {
                        return DuckDBType.of(DuckDBType.Id.JSON);
                    }
                    List<DuckDBType.Field> children = new ArrayList<>();
                    for (Map.Entry<String, Shape> e : fields.entrySet()) {
                        children.add(new DuckDBType.Field(e.getKey(), e.getValue().toType()));
                    }
                    return DuckDBType.struct(children);
                case LIST:
                    return DuckDBType.list(element.toType());
                case NULL:
                case JSON:
                default:
                    return DuckDBType.of(DuckDBType.Id.JSON);
            }
        }
    }
}
