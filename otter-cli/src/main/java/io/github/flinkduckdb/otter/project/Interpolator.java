package io.github.flinkduckdb.otter.project;

import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in configuration text before it is parsed, as
 * Otter does. {@code $${...}} is a literal {@code ${...}}. Whole-line comments are left alone, so a
 * commented-out line may mention a variable that is not set. A variable that is not set and has no
 * default is an error naming the variable, the file and the line. Values never appear in messages
 * (they may be passwords).
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

    /**
     * Interpolates {@code text}, the content of {@code file} (used in messages only).
     *
     * @throws ConfigException for a missing variable without default or a malformed reference
     */
    public String interpolate(String text, String file) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            String line = lines[i];
            if (line.trim().startsWith("#")) {
                out.append(line);
                continue;
            }
            out.append(interpolateLine(line, file, i + 1));
        }
        return out.toString();
    }

    private String interpolateLine(String line, String file, int lineNumber) {
        Matcher m = REFERENCE.matcher(line);
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            sb.append(line, last, m.start());
            last = m.end();
            String token = m.group();
            if (token.equals("$${")) {
                // An escaped reference: keep "${" and let the rest of the line pass unchanged.
                sb.append("${");
                continue;
            }
            String name = m.group(1);
            if (name == null) {
                throw new ConfigException(
                        file,
                        null,
                        lineNumber,
                        m.start() + 1,
                        "malformed variable reference: use ${NAME} or ${NAME:-default}"
                                + " (names are letters, digits and '_'), or $${ for a literal ${");
            }
            String value = variables.apply(name);
            String fallback = m.group(2);
            // As in a shell: ${VAR:-default} also takes the default when VAR is set but empty.
            if (value == null || (value.isEmpty() && fallback != null)) {
                if (fallback == null) {
                    throw new ConfigException(
                            file,
                            null,
                            lineNumber,
                            m.start() + 1,
                            "environment variable "
                                    + name
                                    + " is not set and ${"
                                    + name
                                    + "} has no default (write ${"
                                    + name
                                    + ":-default} to give one)");
                }
                value = fallback;
            }
            sb.append(value);
        }
        sb.append(line, last, line.length());
        return sb.toString();
    }
}
