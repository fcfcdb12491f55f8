package io.github.flinkduckdb.otter.project;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A parsed YAML value that remembers where it was written (file, dotted key, line, column), so
 * every configuration error can point at it. Typed getters throw {@link ConfigException} with that
 * location and a sentence saying what was expected.
 */
public final class YamlNode {

    /** The kinds of YAML values the configuration uses. */
    public enum Kind {
        MAP,
        LIST,
        SCALAR,
        NULL
    }

    private final Kind kind;
    private final String file;
    private final String path;
    private final int line;
    private final int column;
    private final String text;
    private final Map<String, YamlNode> children;
    private final List<YamlNode> items;
    private int keyLine = -1;
    private int keyColumn = -1;

    private YamlNode(
            Kind kind,
            String file,
            String path,
            int line,
            int column,
            String text,
            Map<String, YamlNode> children,
            List<YamlNode> items) {
        this.kind = kind;
        this.file = file;
        this.path = path;
        this.line = line;
        this.column = column;
        this.text = text;
        this.children = children;
        this.items = items;
    }

    static YamlNode map(
            String file, String path, int line, int column, Map<String, YamlNode> children) {
        return new YamlNode(
                Kind.MAP,
                file,
                path,
                line,
                column,
                null,
                Collections.unmodifiableMap(children),
                null);
    }

    static YamlNode list(String file, String path, int line, int column, List<YamlNode> items) {
        return new YamlNode(
                Kind.LIST,
                file,
                path,
                line,
                column,
                null,
                null,
                Collections.unmodifiableList(items));
    }

    static YamlNode scalar(String file, String path, int line, int column, String text) {
        return new YamlNode(Kind.SCALAR, file, path, line, column, text, null, null);
    }

    static YamlNode nullValue(String file, String path, int line, int column) {
        return new YamlNode(Kind.NULL, file, path, line, column, null, null, null);
    }

    /** An empty map standing for a file or section that is absent. */
    public static YamlNode emptyMap(String file, String path) {
        return new YamlNode(Kind.MAP, file, path, -1, -1, null, Collections.emptyMap(), null);
    }

    /** Remembers where the key of this value was written (for errors about the key). */
    YamlNode atKey(int line, int column) {
        this.keyLine = line;
        this.keyColumn = column;
        return this;
    }

    /** A map with the one entry {@code key: child}, located at the child. */
    public static YamlNode wrap(String key, YamlNode child) {
        Map<String, YamlNode> children = new LinkedHashMap<>();
        children.put(key, child);
        return map(child.file, "", child.line, child.column, children);
    }

    public Kind kind() {
        return kind;
    }

    public String file() {
        return file;
    }

    /** The dotted key of this value, e.g. {@code source.port} or {@code sinks.parquet.path}. */
    public String path() {
        return path;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    public boolean isList() {
        return kind == Kind.LIST;
    }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    /** A configuration error located at this value. */
    public ConfigException error(String problem) {
        return new ConfigException(file, path, line, column, problem);
    }

    /** A warning located at this value, formatted like {@link #error}'s message. */
    public String warning(String problem) {
        return ConfigException.format(file, path, line, column, problem);
    }

    // ---- maps

    /** The keys of a map, in file order. */
    public Collection<String> keys() {
        requireMap();
        return children.keySet();
    }

    /** The value under {@code key} of this map; empty when the key is absent or null. */
    public Optional<YamlNode> get(String key) {
        requireMap();
        YamlNode child = children.get(key);
        return child == null || child.isNull() ? Optional.empty() : Optional.of(child);
    }

    /** Whether the map has {@code key} (with any value, even null). */
    public boolean has(String key) {
        requireMap();
        return children.containsKey(key);
    }

    /** The map under {@code key}, or an empty map when absent. */
    public YamlNode mapOrEmpty(String key) {
        Optional<YamlNode> child = get(key);
        if (child.isEmpty()) {
            return emptyMap(file, child(key));
        }
        child.get().requireMap();
        return child.get();
    }

    /** The value under {@code key}; an error naming the key when it is absent. */
    public YamlNode required(String key) {
        return get(key).orElseThrow(() -> missing(key));
    }

    /** The error for a missing required key, located at this map. */
    public ConfigException missing(String key) {
        return new ConfigException(
                file,
                child(key),
                line,
                column,
                "is required"
                        + (path == null || path.isEmpty() ? "" : " in " + path)
                        + " but missing");
    }

    /**
     * Rejects keys outside {@code allowed} (likely typos), naming the closest allowed key.
     *
     * @throws ConfigException at the unknown key
     */
    public void checkKeys(Collection<String> allowed) {
        requireMap();
        for (Map.Entry<String, YamlNode> e : children.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                String hint = closest(e.getKey(), allowed);
                YamlNode v = e.getValue();
                throw new ConfigException(
                        file,
                        v.path,
                        v.keyLine > 0 ? v.keyLine : v.line,
                        v.keyLine > 0 ? v.keyColumn : v.column,
                        "unknown key '"
                                + e.getKey()
                                + "'"
                                + (hint != null ? " (did you mean '" + hint + "'?)" : "")
                                + "; allowed here: "
                                + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    public String string(String key, String defaultValue) {
        return get(key).map(YamlNode::asString).orElse(defaultValue);
    }

    public String requiredString(String key) {
        String value = required(key).asString();
        if (value.trim().isEmpty()) {
            throw required(key).error("must not be empty");
        }
        return value;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<YamlNode> child = get(key);
        if (child.isEmpty()) {
            return defaultValue;
        }
        long value = child.get().asLong();
        if (value < min || value > max) {
            throw child.get().error("must be between " + min + " and " + max + ", got " + value);
        }
        return (int) value;
    }

    public long longValue(String key, long defaultValue, long min) {
        Optional<YamlNode> child = get(key);
        if (child.isEmpty()) {
            return defaultValue;
        }
        long value = child.get().asLong();
        if (value < min) {
            throw child.get().error("must be at least " + min + ", got " + value);
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        return get(key).map(YamlNode::asBoolean).orElse(defaultValue);
    }

    /** A list of strings; a single string counts as a list of one. */
    public List<String> stringList(String key) {
        Optional<YamlNode> child = get(key);
        if (child.isEmpty()) {
            return Collections.emptyList();
        }
        return child.get().asStringList();
    }

    // ---- lists

    public List<YamlNode> items() {
        if (!isList()) {
            throw error("expected a list, got " + describeKind());
        }
        return items;
    }

    // ---- scalars

    /** The scalar's text (numbers and booleans as written). */
    public String asString() {
        if (!isScalar()) {
            throw error("expected a single value, got " + describeKind());
        }
        return text;
    }

    public long asLong() {
        String t = asString().trim().replace("_", "");
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error(
                    t.matches("[+-]?[0-9]+")
                            ? "the number \"" + text + "\" is too large (at most 2^63 - 1)"
                            : "expected a whole number, got \"" + text + "\"");
        }
    }

    public boolean asBoolean() {
        String t = asString().trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "true":
            case "yes":
            case "on":
                return true;
            case "false":
            case "no":
            case "off":
                return false;
            default:
                throw error("expected true or false, got \"" + text + "\"");
        }
    }

    /**
     * A duration: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, or an ISO-8601 {@code PT10S}.
     */
    public Duration asDuration() {
        try {
            return Durations.parse(asString());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    public List<String> asStringList() {
        if (isScalar()) {
            return List.of(asString());
        }
        List<String> out = new ArrayList<>();
        for (YamlNode item : items()) {
            out.add(item.asString());
        }
        return out;
    }

    private void requireMap() {
        if (!isMap()) {
            throw error("expected a map of keys to values, got " + describeKind());
        }
    }

    private String describeKind() {
        switch (kind) {
            case MAP:
                return "a map";
            case LIST:
                return "a list";
            case NULL:
                return "nothing (null)";
            default:
                return "\"" + text + "\"";
        }
    }

    String child(String key) {
        return path == null || path.isEmpty() ? key : path + "." + key;
    }

    private static String closest(String key, Collection<String> allowed) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : allowed) {
            int d =
                    distance.apply(
                            key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    /** Copies a map node's children; for callers that build maps. */
    static Map<String, YamlNode> newChildren() {
        return new LinkedHashMap<>();
    }
}
