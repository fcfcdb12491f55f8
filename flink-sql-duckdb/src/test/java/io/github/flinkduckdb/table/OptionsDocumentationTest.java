package io.github.flinkduckdb.table;

import io.github.flinkduckdb.catalog.DuckDBCatalogFactory;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The options tables in {@code docs/sql.md} are generated from {@link DuckDBConnectorOptions} (via
 * the factories' option sets): this test regenerates them and fails, printing the expected table,
 * when the document differs.
 */
class OptionsDocumentationTest {

    private static final Path DOC = findDoc();

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

    static String table(Set<ConfigOption<?>> options) {
        StringBuilder sb = new StringBuilder();
        sb.append("| option | default | description |\n");
        sb.append("|---|---|---|\n");
        for (ConfigOption<?> o : options) {
            sb.append("| `")
                    .append(o.key())
                    .append("` | ")
                    .append(o.hasDefaultValue() ? "`" + format(o.defaultValue()) + "`" : "")
                    .append(" | ")
                    .append(new HtmlFormatter().format(o.description()).replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String format(Object value) {
        return value instanceof Duration
                ? TimeUtils.formatWithHighestUnit((Duration) value)
                : String.valueOf(value);
    }

    private static String section(String doc, String name) {
        String start = "<!-- " + name + ":start -->\n";
        String end = "<!-- " + name + ":end -->";
        int from = doc.indexOf(start);
        int to = doc.indexOf(end);
        assertThat(from).as("docs/sql.md has the marker %s", start.trim()).isNotNegative();
        assertThat(to).as("docs/sql.md has the marker %s", end).isGreaterThan(from);
        return doc.substring(from + start.length(), to);
    }

    @Test
    void connectorOptionsTableMatchesTheOptionsClass() throws Exception {
        String doc = new String(Files.readAllBytes(DOC), StandardCharsets.UTF_8);
        assertThat(section(doc, "connector-options"))
                .as("regenerate the table in docs/sql.md")
                .isEqualTo(table(new DuckDBDynamicTableFactory().optionalOptions()));
    }

    @Test
    void catalogOptionsTableMatchesTheCatalogFactory() throws Exception {
        String doc = new String(Files.readAllBytes(DOC), StandardCharsets.UTF_8);
        assertThat(section(doc, "catalog-options"))
                .as("regenerate the table in docs/sql.md")
                .isEqualTo(table(new DuckDBCatalogFactory().optionalOptions()));
    }

    /** Prints both tables, for pasting into docs/sql.md. */
    public static void main(String[] args) {
        System.out.println(table(new DuckDBDynamicTableFactory().optionalOptions()));
        System.out.println(table(new DuckDBCatalogFactory().optionalOptions()));
    }
}
