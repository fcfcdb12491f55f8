package io.github.flinkduckdb.otter.project;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a YAML configuration file: parses the text into {@link YamlNode}s that keep their line and
 * column (Jackson's YAML parser reports them for every token), then interpolates {@code ${VAR}}
 * references in every key and string value ({@link Interpolator}), so a variable's value is taken
 * verbatim and never re-read as YAML. Duplicate keys are errors.
 */
public final class YamlFiles {

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final String text;
    private final String file;
    private final Interpolator interpolator;

    /** Offset in {@code text} of the first character of each line. */
    private final int[] lineStarts;

    private YamlFiles(String text, String file, Interpolator interpolator) {
        this.text = text;
        this.file = file;
        this.interpolator = interpolator;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Reads {@code file}; {@code displayName} is how messages name it (e.g. {@code
     * config/sources.yml}).
     *
     * @throws ConfigException when the file is missing, unreadable, not valid YAML, or references a
     *     variable that is not set
     */
    public static YamlNode read(Path file, String displayName, Interpolator interpolator) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(displayName, null, -1, -1, "file not found (" + file + ")");
        } catch (IOException e) {
            throw new ConfigException(
                    displayName, null, -1, -1, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(text, displayName, interpolator);
    }

    /**
     * Parses YAML text and interpolates its keys and string values; an empty document is an empty
     * map.
     *
     * @throws ConfigException when the text is not valid YAML or references a variable that is not
     *     set
     */
    public static YamlNode parse(String text, String displayName, Interpolator interpolator) {
        return new YamlFiles(text, displayName, interpolator).document();
    }

    private YamlNode document() {
        String displayName = file;
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return YamlNode.emptyMap(displayName, "");
            }
            YamlNode root = readValue(parser, "");
            if (parser.nextToken() != null) {
                JsonLocation loc = parser.currentTokenLocation();
                throw new ConfigException(
                        displayName,
                        null,
                        loc.getLineNr(),
                        loc.getColumnNr(),
                        "more than one YAML document; keep one per file");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String message = e.getOriginalMessage();
            // SnakeYAML's own message repeats the location in words; the first line says what.
            int nl = message.indexOf('\n');
            throw new ConfigException(
                    displayName,
                    null,
                    loc == null ? -1 : loc.getLineNr(),
                    loc == null ? -1 : loc.getColumnNr(),
                    "not valid YAML: " + (nl > 0 ? message.substring(0, nl) : message).trim(),
                    e);
        } catch (IOException e) {
            throw new ConfigException(
                    displayName, null, -1, -1, "cannot parse: " + e.getMessage(), e);
        }
    }

    private YamlNode readValue(JsonParser p, String path) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int column = loc.getColumnNr();
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT:
                {
                    Map<String, YamlNode> children = YamlNode.newChildren();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        JsonLocation keyLoc = p.currentTokenLocation();
                        String key =
                                interpolate(
                                        p.currentName(), keyLoc.getLineNr(), keyLoc.getColumnNr());
                        String childPath = path.isEmpty() ? key : path + "." + key;
                        if (children.containsKey(key)) {
                            throw new ConfigException(
                                    file,
                                    childPath,
                                    keyLoc.getLineNr(),
                                    keyLoc.getColumnNr(),
                                    "key '"
                                            + key
                                            + "' appears twice (first on line "
                                            + children.get(key).line()
                                            + ")");
                        }
                        p.nextToken();
                        YamlNode value = readValue(p, childPath);
                        children.put(key, value.atKey(keyLoc.getLineNr(), keyLoc.getColumnNr()));
                    }
                    return YamlNode.map(file, path, line, column, children);
                }
            case START_ARRAY:
                {
                    List<YamlNode> items = new ArrayList<>();
                    int i = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        items.add(readValue(p, path + "[" + i + "]"));
                        i++;
                    }
                    return YamlNode.list(file, path, line, column, items);
                }
            case VALUE_NULL:
                return YamlNode.nullValue(file, path, line, column);
            case VALUE_STRING:
                {
                    String raw = p.getText();
                    String value = interpolate(raw, line, column);
                    if (value.isEmpty() && !raw.isEmpty() && isPlain(line, column)) {
                        // `key: ${VAR:-}` reads as `key:` did before: not set, so the default.
                        return YamlNode.nullValue(file, path, line, column);
                    }
                    return YamlNode.scalar(file, path, line, column, value);
                }
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                return YamlNode.scalar(file, path, line, column, p.getText());
            default:
                throw new ConfigException(
                        file, path, line, column, "unexpected YAML content (" + token + ")");
        }
    }

    /** Interpolates a key or string value that starts at {@code line}:{@code column}. */
    private String interpolate(String value, int line, int column) {
        return interpolator.interpolate(
                value,
                (offset, problem) -> {
                    int[] at = referenceLocation(value, offset, line, column);
                    return new ConfigException(file, null, at[0], at[1], problem);
                });
    }

    /**
     * Where the reference at {@code offset} of a parsed value is written: quotes, escapes and line
     * folding make offsets in the value differ from those in the text, but every {@code ${} of the
     * value is written as such, in the same order, from where the value starts.
     */
    private int[] referenceLocation(String value, int offset, int line, int column) {
        int before = 0;
        for (int i = value.indexOf("${"); i >= 0 && i < offset; i = value.indexOf("${", i + 2)) {
            before++;
        }
        int start = offset(line, column);
        if (start < 0) {
            return new int[] {line, column};
        }
        int at = text.indexOf("${", start);
        for (int n = 0; n < before && at >= 0; n++) {
            at = text.indexOf("${", at + 2);
        }
        if (at < 0) {
            return new int[] {line, column};
        }
        int l = line;
        while (l < lineStarts.length && lineStarts[l] <= at) {
            l++;
        }
        return new int[] {l, at - lineStarts[l - 1] + 1};
    }

    /** Whether the scalar at {@code line}:{@code column} is written without quotes or | and >. */
    private boolean isPlain(int line, int column) {
        int start = offset(line, column);
        if (start < 0) {
            return false;
        }
        char c = text.charAt(start);
        return c != '"' && c != '\'' && c != '|' && c != '>';
    }

    /** The offset in the text of a 1-based line and column; -1 when outside the text. */
    private int offset(int line, int column) {
        if (line < 1 || line > lineStarts.length || column < 1) {
            return -1;
        }
        int o = lineStarts[line - 1] + column - 1;
        return o < text.length() ? o : -1;
    }
}
