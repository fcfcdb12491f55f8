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
 * Reads a YAML configuration file: interpolates {@code ${VAR}} references first, then parses the
 * text into {@link YamlNode}s that keep their line and column (Jackson's YAML parser reports them
 * for every token). Duplicate keys are errors.
 */
public final class YamlFiles {

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlFiles() {}

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
        return parse(interpolator.interpolate(text, displayName), displayName);
    }

    /** Parses YAML text that is already interpolated; an empty document is an empty map. */
    public static YamlNode parse(String text, String displayName) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return YamlNode.emptyMap(displayName, "");
            }
            YamlNode root = readValue(parser, displayName, "");
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

    private static YamlNode readValue(JsonParser p, String file, String path) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int column = loc.getColumnNr();
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT:
                {
                    Map<String, YamlNode> children = YamlNode.newChildren();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        JsonLocation keyLoc = p.currentTokenLocation();
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
                        YamlNode value = readValue(p, file, childPath);
                        children.put(key, value.atKey(keyLoc.getLineNr(), keyLoc.getColumnNr()));
                    }
                    return YamlNode.map(file, path, line, column, children);
                }
            case START_ARRAY:
                {
                    List<YamlNode> items = new ArrayList<>();
                    int i = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        items.add(readValue(p, file, path + "[" + i + "]"));
                        i++;
                    }
                    return YamlNode.list(file, path, line, column, items);
                }
            case VALUE_NULL:
                return YamlNode.nullValue(file, path, line, column);
            case VALUE_STRING:
                return YamlNode.scalar(file, path, line, column, p.getText(), true);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                return YamlNode.scalar(file, path, line, column, p.getText(), false);
            default:
                throw new ConfigException(
                        file, path, line, column, "unexpected YAML content (" + token + ")");
        }
    }
}
