package io.github.flinkduckdb.table;

import io.github.flinkduckdb.catalog.DuckDBCatalogFactory;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The options tables in {@code docs/sql.md} are generated from {@link DuckDBConnectorOptions} (via
 * the factories' option sets, in their order), as Flink's {@code ConfigOptionsDocGenerator} does
 * for Flink's own options: key, default, type, description. The test renders each table and fails
 * with a line diff when the text between the markers ({@code <!-- connector-options:start -->} ...
 * {@code <!-- connector-options:end -->}) differs. {@code -Ddocs.regenerate=true} makes it rewrite
 * the tables in docs/sql.md instead:
 *
 * <pre>mvn -pl flink-sql-duckdb test -Dtest=OptionsDocumentationTest -Ddocs.regenerate=true</pre>
 */
class OptionsDocumentationTest {

    private static final String CONNECTOR = "connector-options";
    private static final String CATALOG = "catalog-options";

    @Test
    void connectorOptionsTableMatchesTheOptionsClass() throws Exception {
        check(CONNECTOR, table(new DuckDBDynamicTableFactory().optionalOptions()));
    }

    @Test
    void catalogOptionsTableMatchesTheCatalogFactory() throws Exception {
        check(CATALOG, table(new DuckDBCatalogFactory().optionalOptions()));
    }

    /** An option declared in the options class but offered by no factory is in no table. */
    @Test
    void everyDeclaredOptionIsOfferedByAFactory() throws Exception {
        Set<String> offered = new LinkedHashSet<>();
        new DuckDBDynamicTableFactory().requiredOptions().forEach(o -> offered.add(o.key()));
        new DuckDBDynamicTableFactory().optionalOptions().forEach(o -> offered.add(o.key()));
        new DuckDBCatalogFactory().optionalOptions().forEach(o -> offered.add(o.key()));
        List<String> declared = new ArrayList<>();
        for (Field f : DuckDBConnectorOptions.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                declared.add(((ConfigOption<?>) f.get(null)).key());
            }
        }
        assertThat(declared).hasSizeGreaterThan(10);
        assertThat(offered)
                .as("options of DuckDBConnectorOptions that no factory offers")
                .containsAll(declared);
    }

    @Test
    void typesAreNamedAsFlinkNamesThem() {
        assertThat(type(DuckDBConnectorOptions.SINK_BUFFER_FLUSH_INTERVAL)).isEqualTo("Duration");
        assertThat(type(DuckDBConnectorOptions.SINK_DELIVERY_GUARANTEE)).isEqualTo("Enum");
        assertThat(type(DuckDBConnectorOptions.LOOKUP_PARTIAL_CACHE_MAX_ROWS)).isEqualTo("Long");
        assertThat(type(DuckDBConnectorOptions.PATH)).isEqualTo("String");
    }

    @Test
    void diffNamesTheLinesThatDiffer() {
        assertThat(diff("a\nb\nc\n", "a\nB\nc\n")).isEqualTo("- b\n+ B\n");
        assertThat(diff("a\n", "a\n")).isEmpty();
    }

    static String table(Set<ConfigOption<?>> options) {
        StringBuilder sb = new StringBuilder();
        sb.append("| option | default | type | description |\n");
        sb.append("|---|---|---|---|\n");
        for (ConfigOption<?> o : options) {
            sb.append("| `")
                    .append(o.key())
                    .append("` | ")
                    .append(o.hasDefaultValue() ? "`" + format(o.defaultValue()) + "`" : "")
                    .append(" | ")
                    .append(type(o))
                    .append(" | ")
                    .append(new HtmlFormatter().format(o.description()).replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    /**
     * The option's value type, named as Flink's docs do ("Duration", "Enum", "List&lt;String&gt;").
     * {@code ConfigOption#getClazz} and {@code #isList} are package-private: Flink's own generator
     * reads them by reflection too.
     */
    static String type(ConfigOption<?> option) {
        try {
            Method getClazz = ConfigOption.class.getDeclaredMethod("getClazz");
            Method isList = ConfigOption.class.getDeclaredMethod("isList");
            getClazz.setAccessible(true);
            isList.setAccessible(true);
            Class<?> clazz = (Class<?>) getClazz.invoke(option);
            String name = clazz.isEnum() ? "Enum" : clazz.getSimpleName();
            return (Boolean) isList.invoke(option) ? "List&lt;" + name + "&gt;" : name;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "Cannot read the type of option '" + option.key() + "'", e);
        }
    }

    private static String format(Object value) {
        return value instanceof Duration
                ? TimeUtils.formatWithHighestUnit((Duration) value)
                : String.valueOf(value);
    }

    private static void check(String section, String expected) throws Exception {
        Path doc = findDoc();
        String text = new String(Files.readAllBytes(doc), StandardCharsets.UTF_8);
        String start = "<!-- " + section + ":start -->\n";
        String end = "<!-- " + section + ":end -->";
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        assertThat(from).as("%s has the marker %s", doc, start.trim()).isNotNegative();
        assertThat(to).as("%s has the marker %s", doc, end).isGreaterThan(from);
        String actual = text.substring(from + start.length(), to);
        if (actual.equals(expected)) {
            return;
        }
        if (Boolean.getBoolean("docs.regenerate")) {
            String updated =
                    text.substring(0, from + start.length()) + expected + text.substring(to);
            Files.write(doc, updated.getBytes(StandardCharsets.UTF_8));
            return;
        }
        fail(
                "The table "
                        + section
                        + " in "
                        + doc
                        + " differs from the options in the code (- document, + code); "
                        + "rerun with -Ddocs.regenerate=true to rewrite it:\n"
                        + (diff(actual, expected).isEmpty()
                                ? "the same rows in another order:\n" + expected
                                : diff(actual, expected)));
    }

    /** The lines only in {@code actual} (-) and only in {@code expected} (+), in order. */
    static String diff(String actual, String expected) {
        List<String> a = Arrays.asList(actual.split("\n", -1));
        List<String> e = Arrays.asList(expected.split("\n", -1));
        String removed =
                a.stream()
                        .filter(l -> !l.isEmpty() && !e.contains(l))
                        .map(l -> "- " + l + "\n")
                        .collect(Collectors.joining());
        String added =
                e.stream()
                        .filter(l -> !l.isEmpty() && !a.contains(l))
                        .map(l -> "+ " + l + "\n")
                        .collect(Collectors.joining());
        return removed + added;
    }

    /** docs/sql.md of the checkout, found upwards from the module the tests run in. */
    private static Path findDoc() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs").resolve("sql.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "No docs/sql.md above " + Paths.get("").toAbsolutePath());
        }
        return dir.resolve("docs").resolve("sql.md");
    }
}
