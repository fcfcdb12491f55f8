package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonLocation;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;

/**
 * The texts of a message's rejection by {@link MessageNormalizer}: they name the field path and the
 * expected type, never the value (a dead letter's error must not leak message content).
 */
final class MessageRejections {

    private MessageRejections() {}

    static MessageRejectedException mismatch(
            FieldPath path, DuckDBType type, String expected, JsonToken got) {
        return new MessageRejectedException(
                field(path)
                        + " ("
                        + type.toSql()
                        + "): expected "
                        + expected
                        + ", got "
                        + describe(got));
    }

    static MessageRejectedException outOfRange(FieldPath path, DuckDBType type) {
        return new MessageRejectedException(
                field(path) + ": the number does not fit " + type.toSql());
    }

    static String field(FieldPath path) {
        return "field '" + path + "'";
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
                return "a whole number";
            case VALUE_NUMBER_FLOAT:
                return "a number with a fraction";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.name();
        }
    }

    /** A parser position as error texts give it. */
    static String where(JsonLocation location) {
        if (location == null) {
            return "an unknown position";
        }
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
