package io.github.flinkduckdb.schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recursive-descent reader for DuckDB type text; see {@link DuckDBType#parse(String)}. Any text
 * either reads as a type or fails with an {@link IllegalArgumentException} quoting it; nesting is
 * bounded ({@link #MAX_DEPTH}), so hostile text cannot overflow the stack here or in the type's own
 * recursive methods.
 */
final class DuckDBTypeParser {

    /** Types nest at most this deep, {@code []} suffixes included; DuckDB's own stay far below. */
    static final int MAX_DEPTH = 128;

    private static final Map<String, DuckDBType.Id> NAMES = new HashMap<>();

    static {
        for (DuckDBType.Id id : DuckDBType.Id.values()) {
            NAMES.put(id.name(), id);
        }
        alias(DuckDBType.Id.BOOLEAN, "BOOL", "LOGICAL");
        alias(DuckDBType.Id.TINYINT, "INT1");
        alias(DuckDBType.Id.SMALLINT, "INT2", "SHORT");
        alias(DuckDBType.Id.INTEGER, "INT", "INT4", "SIGNED");
        alias(DuckDBType.Id.BIGINT, "INT8", "LONG");
        alias(DuckDBType.Id.HUGEINT, "INT128");
        alias(DuckDBType.Id.UHUGEINT, "UINT128");
        alias(DuckDBType.Id.UTINYINT, "UINT8");
        alias(DuckDBType.Id.USMALLINT, "UINT16");
        alias(DuckDBType.Id.UINTEGER, "UINT32");
        alias(DuckDBType.Id.UBIGINT, "UINT64");
        alias(DuckDBType.Id.FLOAT, "FLOAT4", "REAL");
        alias(DuckDBType.Id.DOUBLE, "FLOAT8");
        alias(DuckDBType.Id.DECIMAL, "NUMERIC");
        alias(DuckDBType.Id.VARCHAR, "STRING", "TEXT", "CHAR", "BPCHAR", "NVARCHAR");
        alias(DuckDBType.Id.BLOB, "BYTEA", "BINARY", "VARBINARY");
        alias(DuckDBType.Id.BIT, "BITSTRING");
        alias(DuckDBType.Id.BIGNUM, "VARINT");
        alias(DuckDBType.Id.TIMESTAMP, "DATETIME", "TIMESTAMP_US");
        alias(DuckDBType.Id.TIMESTAMP_TZ, "TIMESTAMPTZ");
        alias(DuckDBType.Id.TIME_TZ, "TIMETZ");
    }

    private static void alias(DuckDBType.Id id, String... names) {
        for (String n : names) {
            NAMES.put(n, id);
        }
    }

    private static final String PREFIX = "Cannot read DuckDB type '";

    private final String text;
    private int pos;

    /** How deep type() calls are nested now: bounds this parser's stack. */
    private int depth;

    /** Levels of the type last read, suffixes included: bounds the type's recursive methods. */
    private int height;

    private DuckDBTypeParser(String text) {
        this.text = text;
    }

    static DuckDBType parse(String text) {
        if (text == null || text.trim().isEmpty()) {
            throw new IllegalArgumentException("Empty DuckDB type");
        }
        DuckDBTypeParser p = new DuckDBTypeParser(text);
        DuckDBType type;
        try {
            type = p.type();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(PREFIX)) {
                throw e;
            }
            // DuckDBType's own checks, e.g. "DECIMAL(40,2) is not a valid DuckDB decimal".
            throw p.error(e.getMessage());
        }
        p.skipSpaces();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + text.substring(p.pos) + "'");
        }
        return type;
    }

    private DuckDBType type() {
        enter();
        DuckDBType type = unnested();
        depth--;
        return type;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private DuckDBType unnested() {
        height = 1;
        skipSpaces();
        int start = pos;
        String word = word();
        String upper = word.toUpperCase(Locale.ROOT);
        DuckDBType base;
        switch (upper) {
            case "DECIMAL":
            case "NUMERIC":
                base = decimal();
                break;
            case "STRUCT":
            case "ROW":
                base = DuckDBType.struct(fields(true));
                break;
            case "UNION":
                base = DuckDBType.union(fields(true));
                break;
            case "MAP":
                {
                    List<DuckDBType.Field> kv = fields(false);
                    if (kv.size() != 2) {
                        throw error("MAP needs a key and a value type");
                    }
                    base = DuckDBType.map(kv.get(0).type(), kv.get(1).type());
                    break;
                }
            case "LIST":
                {
                    List<DuckDBType.Field> el = fields(false);
                    if (el.size() != 1) {
                        throw error("LIST needs one element type");
                    }
                    base = DuckDBType.list(el.get(0).type());
                    break;
                }
            case "ENUM":
                base = DuckDBType.enumOf(enumValues());
                break;
            case "TIMESTAMP":
                base = timestampOrTime(DuckDBType.Id.TIMESTAMP, DuckDBType.Id.TIMESTAMP_TZ);
                break;
            case "TIME":
                base = timestampOrTime(DuckDBType.Id.TIME, DuckDBType.Id.TIME_TZ);
                break;
            case "DOUBLE":
                skipOptionalWord("PRECISION");
                base = DuckDBType.of(DuckDBType.Id.DOUBLE);
                break;
            default:
                {
                    DuckDBType.Id id = NAMES.get(upper);
                    skipSpaces();
                    if (id != null && id != DuckDBType.Id.OTHER) {
                        if (peek() == '(') {
                            // VARCHAR(10), CHAR(3) and similar: the length is not enforced by
                            // DuckDB.
                            skipParenthesized();
                        }
                        base = DuckDBType.of(id);
                    } else {
                        if (peek() == '(') {
                            skipParenthesized();
                        }
                        base = DuckDBType.other(text.substring(start, pos).trim());
                    }
                }
        }
        return suffixes(base);
    }

    private DuckDBType timestampOrTime(DuckDBType.Id plain, DuckDBType.Id withZone) {
        skipSpaces();
        if (peek() == '(') {
            // TIMESTAMP(3): DuckDB keeps microseconds whatever the precision.
            skipParenthesized();
        }
        int save = pos;
        skipSpaces();
        if (matchWord("WITH")) {
            expectWord("TIME");
            expectWord("ZONE");
            return DuckDBType.of(withZone);
        }
        if (matchWord("WITHOUT")) {
            expectWord("TIME");
            expectWord("ZONE");
            return DuckDBType.of(plain);
        }
        pos = save;
        return DuckDBType.of(plain);
    }

    private DuckDBType suffixes(DuckDBType base) {
        DuckDBType result = base;
        while (true) {
            skipSpaces();
            if (peek() != '[') {
                return result;
            }
            pos++;
            if (++height > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            skipSpaces();
            if (peek() == ']') {
                pos++;
                result = DuckDBType.list(result);
            } else {
                int size = number();
                if (size < 1) {
                    throw error("an ARRAY needs at least one element");
                }
                skipSpaces();
                expect(']');
                result = DuckDBType.array(result, size);
            }
        }
    }

    private DuckDBType decimal() {
        skipSpaces();
        if (peek() != '(') {
            return DuckDBType.decimal(18, 3);
        }
        pos++;
        int precision = number();
        int scale = 0;
        skipSpaces();
        if (peek() == ',') {
            pos++;
            scale = number();
        }
        skipSpaces();
        expect(')');
        return DuckDBType.decimal(precision, scale);
    }

    /** The fields in parentheses; leaves {@link #height} at one more than the highest field's. */
    private List<DuckDBType.Field> fields(boolean named) {
        skipSpaces();
        expect('(');
        List<DuckDBType.Field> fields = new ArrayList<>();
        int highest = 0;
        while (true) {
            skipSpaces();
            String name = null;
            if (named) {
                name = peek() == '"' ? quoted() : word();
                if (name.isEmpty()) {
                    throw error("a field needs a name");
                }
            }
            DuckDBType t = type();
            highest = Math.max(highest, height);
            fields.add(new DuckDBType.Field(name, t));
            skipSpaces();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ')') {
                pos++;
                height = highest + 1;
                if (height > MAX_DEPTH) {
                    throw error("nested deeper than " + MAX_DEPTH + " levels");
                }
                return fields;
            } else {
                throw error("expected ',' or ')'");
            }
        }
    }

    private List<String> enumValues() {
        skipSpaces();
        expect('(');
        List<String> values = new ArrayList<>();
        while (true) {
            skipSpaces();
            if (peek() != '\'') {
                throw error("expected a quoted ENUM value");
            }
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated ENUM value");
                }
                char c = text.charAt(pos++);
                if (c == '\'') {
                    if (peek() == '\'') {
                        sb.append('\'');
                        pos++;
                        continue;
                    }
                    break;
                }
                sb.append(c);
            }
            if (sb.indexOf("\0") >= 0) {
                throw error("an ENUM value must not contain NUL characters");
            }
            values.add(sb.toString());
            skipSpaces();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ')') {
                pos++;
                return values;
            } else {
                throw error("expected ',' or ')'");
            }
        }
    }

    private String quoted() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated quoted name");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                if (peek() == '"') {
                    sb.append('"');
                    pos++;
                    continue;
                }
                return sb.toString();
            }
            sb.append(c);
        }
    }

    private String word() {
        skipSpaces();
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                pos++;
            } else {
                break;
            }
        }
        if (start == pos) {
            throw error("expected a type name");
        }
        return text.substring(start, pos);
    }

    private boolean matchWord(String expected) {
        int save = pos;
        skipSpaces();
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            pos++;
        }
        if (text.substring(start, pos).equalsIgnoreCase(expected)) {
            return true;
        }
        pos = save;
        return false;
    }

    private void skipOptionalWord(String expected) {
        matchWord(expected);
    }

    private void expectWord(String expected) {
        if (!matchWord(expected)) {
            throw error("expected " + expected);
        }
    }

    private int number() {
        skipSpaces();
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a number");
        }
        try {
            return Integer.parseInt(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("the number is too large");
        }
    }

    private void skipParenthesized() {
        expect('(');
        int depth = 1;
        while (depth > 0) {
            if (pos >= text.length()) {
                throw error("unbalanced parentheses");
            }
            char c = text.charAt(pos++);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
        }
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String why) {
        String quoted = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return new IllegalArgumentException(PREFIX + quoted + "' at position " + pos + ": " + why);
    }
}
