package io.github.flinkduckdb.otter.project;

import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in configuration values, as Otter does.
 * {@link YamlFiles} applies it to every key and string value after the YAML is parsed, so a
 * variable's value is taken verbatim: a {@code #}, a {@code ": "}, a quote or a newline in it
 * cannot change the document. {@code $${...}} is a literal {@code ${...}}. A variable that is not
 * set and has no default is an error naming the variable, the file, the line and the column. Values
 * never appear in messages (they may be passwords).
 */
public final class Interpolator {

    private static final Pattern REFERENCE =
            Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?}|\\$\\{");

    private final Function<String, String> variables;

    public Interpolator(Function<String, String> variables) {
        this.variables = variables;
    }

    /** Reads variables from the process environment. */
    public static Interpolator fromEnvironment() {
        return new Interpolator(System::getenv);
    }

    /** Reads variables from {@code overrides} first, then from the process environment. */
    public static Interpolator withOverrides(Map<String, String> overrides) {
        return new Interpolator(
                name -> overrides.containsKey(name) ? overrides.get(name) : System.getenv(name));
    }

    /** Turns a problem at an offset of the value being interpolated into a located error. */
    @FunctionalInterface
    interface ErrorAt {
        ConfigException error(int offset, String problem);
    }

    /**
     * Whether {@code value} holds a reference or an escape, i.e. would change when interpolated.
     */
    static boolean mentionsVariables(String value) {
        return value.contains("${");
    }

    /**
     * Interpolates one value (a key or a scalar as parsed, without quotes or escapes).
     *
     * @throws ConfigException from {@code errorAt} for a missing variable without default or a
     *     malformed reference
     */
    String interpolate(String value, ErrorAt errorAt) {
        if (!value.contains("${")) {
            return value;
        }
        Matcher m = REFERENCE.matcher(value);
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            sb.append(value, last, m.start());
            last = m.end();
            String token = m.group();
            if (token.equals("$${")) {
                // An escaped reference: keep "${" and let the rest pass unchanged.
                sb.append("${");
                continue;
            }
            String name = m.group(1);
            if (name == null) {
                throw errorAt.error(
                        m.start(),
                        "malformed variable reference: use ${NAME} or ${NAME:-default}"
                                + " (names are letters, digits and '_'), or $${ for a literal ${");
            }
            String resolved = variables.apply(name);
            String fallback = m.group(2);
            // As in a shell: ${VAR:-default} also takes the default when VAR is set but empty.
            if (resolved == null || (resolved.isEmpty() && fallback != null)) {
                if (fallback == null) {
                    throw errorAt.error(
                            m.start(),
                            "environment variable "
                                    + name
                                    + " is not set and ${"
                                    + name
                                    + "} has no default (write ${"
                                    + name
                                    + ":-default} to give one)");
                }
                resolved = fallback;
            }
            sb.append(resolved);
        }
        sb.append(value, last, value.length());
        return sb.toString();
    }
}
