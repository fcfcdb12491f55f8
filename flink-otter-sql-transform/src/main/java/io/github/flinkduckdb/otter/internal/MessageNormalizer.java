package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.flinkduckdb.otter.internal.MessageRejections.describe;
import static io.github.flinkduckdb.otter.internal.MessageRejections.field;
import static io.github.flinkduckdb.otter.internal.MessageRejections.mismatch;
import static io.github.flinkduckdb.otter.internal.MessageRejections.where;

/**
 * Checks a message against the declared incoming schema, strictly, and rewrites it as JSON that
 * DuckDB's {@code json_transform_strict} turns into exactly those values: every declared field
 * present (null when missing), undeclared fields dropped, numbers that must be exact written so
 * DuckDB cannot round them.
 *
 * <p>The rules (a value that breaks one makes the message a dead letter, stage {@code parse}):
 *
 * <ul>
 *   <li>The message is one JSON object (UTF-8/16/32), without duplicate keys or trailing content.
 *   <li>BOOLEAN takes {@code true}/{@code false}; integer types take whole numbers in range ({@code
 *       2.0} is 2, {@code 2.7} and {@code "2"} are rejected); FLOAT/DOUBLE take finite numbers;
 *       DECIMAL(p,s) takes numbers or numeric strings with at most s decimals and p-s integer
 *       digits.
 *   <li>VARCHAR, UUID, DATE, TIME, TIMESTAMP, INTERVAL, BLOB, ENUM take strings only (DuckDB then
 *       parses them strictly); a DATE string must not have a time of day and a TIMESTAMP or TIME
 *       string must not carry an offset other than UTC (use TIMESTAMP WITH TIME ZONE for those).
 *   <li>JSON takes any value. STRUCT takes objects (missing fields are NULL, unknown ones ignored),
 *       MAP(VARCHAR, ...) objects, LIST arrays; null is allowed everywhere.
 *   <li>Everywhere in the message, undeclared fields included: objects and arrays nest at most
 *       {@link JsonLimits#maxNestingDepth()} deep, a number has at most {@link
 *       JsonLimits#maxNumberLength()} characters, a string or field name at most {@link
 *       JsonLimits#maxStringLength()}, and text is valid Unicode (no unpaired surrogate from a
 *       {@code \\uD800} escape); the document is read iteratively, so its depth costs no stack.
 * </ul>
 *
 * <p>Error texts name the field path and the expected type, never the value.
 */
@Internal
public final class MessageNormalizer {

    private final JsonFactory factory;
    private final Node root;
    private final LimitedTokens limits;

    public MessageNormalizer(IncomingSchema schema) {
        this(schema, JsonLimits.defaults());
    }

    public MessageNormalizer(IncomingSchema schema, JsonLimits limits) {
        this.limits = new LimitedTokens(limits);
        this.factory = new JsonFactory();
        // Duplicate keys are found here rather than by Jackson's STRICT_DUPLICATE_DETECTION, which
        // fills a HashSet for every object: a declared object's keys are checked against the
        // fields already seen (a BitSet), and only undeclared keys, maps and the objects inside
        // skipped or JSON values are remembered by name (DuplicateKeys).
        // Error texts must not quote the message body.
        factory.disable(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION);
        this.root = Node.of(schema.type());
    }

    /** The message as normalized JSON text. */
    public String normalize(byte[] payload) throws MessageRejectedException {
        if (payload == null) {
            throw new MessageRejectedException("the message has no body");
        }
        StringWriter out = new StringWriter(payload.length + 32);
        try (JsonParser parser = factory.createParser(payload);
                JsonGenerator generator = factory.createGenerator(out)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MessageRejectedException("the message is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new MessageRejectedException(
                        "the message is not a JSON object (it starts with "
                                + describe(first)
                                + ")");
            }
            writeStruct(parser, generator, root, FieldPath.ROOT, 1);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new MessageRejectedException(
                        "unexpected content after the JSON object at "
                                + where(parser.currentTokenLocation()));
            }
        } catch (JsonProcessingException e) {
            throw new MessageRejectedException(
                    "malformed JSON at " + where(e.getLocation()) + ": " + withoutSource(e));
        } catch (IOException e) {
            throw new MessageRejectedException("unreadable message: " + e.getMessage());
        }
        return out.toString();
    }

    private static final java.util.regex.Pattern SOURCE =
            java.util.regex.Pattern.compile(
                    "\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)|\\s*\\[Source:[^\\]]*\\]");

    /** Jackson's message without its "[Source: ...]" parts. */
    private static String withoutSource(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        return SOURCE.matcher(m).replaceAll("").trim();
    }

    /**
     * Writes the value at the parser's current token; {@code depth} is the nesting depth of the
     * object or array that holds it.
     */
    private void writeValue(JsonParser p, JsonGenerator g, Node node, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        JsonToken t = p.currentToken();
        limits.check(p, path, depth);
        if (t == JsonToken.VALUE_NULL) {
            g.writeNull();
            return;
        }
        DuckDBType type = node.type;
        switch (type.id()) {
            case BOOLEAN:
                if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    g.writeBoolean(t == JsonToken.VALUE_TRUE);
                    return;
                }
                throw mismatch(path, type, "true or false", t);
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case UTINYINT:
            case USMALLINT:
            case UINTEGER:
            case UBIGINT:
            case HUGEINT:
            case UHUGEINT:
            case BIGNUM:
                ExactNumbers.writeInteger(p, g, path, type);
                return;
            case FLOAT:
            case DOUBLE:
                ExactNumbers.writeFloating(p, g, path, type);
                return;
            case DECIMAL:
                ExactNumbers.writeDecimal(p, g, path, type);
                return;
            case JSON:
                limits.copy(p, g, path, depth);
                return;
            case DATE:
                {
                    String s = string(p, path, type);
                    if (s.indexOf(':') >= 0) {
                        throw new MessageRejectedException(
                                field(path)
                                        + " ("
                                        + type.toSql()
                                        + "): expected a date without a time of day");
                    }
                    g.writeString(s);
                    return;
                }
            case TIME:
            case TIME_NS:
            case TIMESTAMP:
            case TIMESTAMP_S:
            case TIMESTAMP_MS:
            case TIMESTAMP_NS:
                {
                    String s = string(p, path, type);
                    if (TemporalText.hasNonUtcZone(s)) {
                        throw new MessageRejectedException(
                                field(path)
                                        + " ("
                                        + type.toSql()
                                        + "): the value has a time zone offset other than UTC,"
                                        + " which "
                                        + type.toSql()
                                        + " would drop; declare TIMESTAMP WITH TIME ZONE");
                    }
                    g.writeString(s);
                    return;
                }
            case ENUM:
                {
                    String s = string(p, path, type);
                    if (!type.enumValues().contains(s)) {
                        throw new MessageRejectedException(
                                field(path) + " (" + type.toSql() + "): not one of the values");
                    }
                    g.writeString(s);
                    return;
                }
            case LIST:
            case ARRAY:
                writeList(p, g, node, path, depth + 1);
                return;
            case MAP:
                writeMap(p, g, node, path, depth + 1);
                return;
            case STRUCT:
                if (t != JsonToken.START_OBJECT) {
                    throw mismatch(path, type, "an object", t);
                }
                writeStruct(p, g, node, path, depth + 1);
                return;
            default:
                // VARCHAR, UUID, INTERVAL, BLOB, BIT, TIME_TZ, TIMESTAMP_TZ: a string DuckDB
                // parses strictly.
                g.writeString(string(p, path, type));
        }
    }

    /** Writes the object at the parser's current token, itself at nesting depth {@code depth}. */
    private void writeStruct(JsonParser p, JsonGenerator g, Node node, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        g.writeStartObject();
        BitSet seen = new BitSet(node.fieldNames.length);
        Set<String> undeclared = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            limits.check(p, path, depth);
            String name = p.currentName();
            Integer index = node.fieldIndex.get(name);
            if (index == null) {
                if (undeclared == null) {
                    undeclared = new HashSet<>();
                }
                if (!undeclared.add(name)) {
                    throw DuplicateKeys.rejection(p, name);
                }
                p.nextToken();
                limits.skip(p, path.child(name), depth);
                continue;
            }
            if (seen.get(index)) {
                throw DuplicateKeys.rejection(p, name);
            }
            p.nextToken();
            seen.set(index);
            g.writeFieldName(name);
            writeValue(p, g, node.children[index], path.child(name), depth);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("unexpected token " + t + " in an object");
        }
        for (int i = seen.nextClearBit(0);
                i < node.fieldNames.length;
                i = seen.nextClearBit(i + 1)) {
            g.writeFieldName(node.fieldNames[i]);
            g.writeNull();
        }
        g.writeEndObject();
    }

    private void writeList(JsonParser p, JsonGenerator g, Node node, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw mismatch(path, node.type, "an array", p.currentToken());
        }
        g.writeStartArray();
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            writeValue(p, g, node.children[0], path.element(index), depth);
            index++;
        }
        if (node.type.id() == DuckDBType.Id.ARRAY && index != node.type.arraySize()) {
            throw new MessageRejectedException(
                    field(path)
                            + " ("
                            + node.type.toSql()
                            + "): expected "
                            + node.type.arraySize()
                            + " elements, got "
                            + index);
        }
        g.writeEndArray();
    }

    private void writeMap(JsonParser p, JsonGenerator g, Node node, FieldPath path, int depth)
            throws IOException, MessageRejectedException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw mismatch(path, node.type, "an object", p.currentToken());
        }
        g.writeStartObject();
        Set<String> keys = new HashSet<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            limits.check(p, path, depth);
            String key = p.currentName();
            if (!keys.add(key)) {
                throw DuplicateKeys.rejection(p, key);
            }
            g.writeFieldName(key);
            p.nextToken();
            writeValue(p, g, node.children[1], path.entry(key), depth);
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("unexpected token " + t + " in an object");
        }
        g.writeEndObject();
    }

    private static String string(JsonParser p, FieldPath path, DuckDBType type)
            throws IOException, MessageRejectedException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw mismatch(path, type, "a string", p.currentToken());
        }
        return p.getText();
    }

    /** The declared type with field lookups, built once. */
    private static final class Node {
        final DuckDBType type;
        final Node[] children;
        final String[] fieldNames;
        final Map<String, Integer> fieldIndex;

        private Node(DuckDBType type) {
            this.type = type;
            List<DuckDBType.Field> fields = type.children();
            this.children = new Node[fields.size()];
            this.fieldNames = new String[fields.size()];
            this.fieldIndex = new HashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                children[i] = new Node(fields.get(i).type());
                fieldNames[i] = fields.get(i).name();
                if (type.id() == DuckDBType.Id.STRUCT) {
                    fieldIndex.put(fields.get(i).name(), i);
                }
            }
        }

        static Node of(DuckDBType type) {
            return new Node(type);
        }
    }
}
