package io.github.flinkduckdb.otter.project;

import java.util.Locale;

/** Recognises configuration keys whose values must never be printed. */
public final class Secrets {

    public static final String MASK = "******";

    private Secrets() {}

    /** Whether a key (e.g. {@code sasl.jaas.config}, {@code password}, {@code token}) is secret. */
    public static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("jaas")
                || k.contains("credential")
                || k.endsWith(".key");
    }

    /** {@code text} with every occurrence of {@code secret} masked (no-op for null or empty). */
    public static String redact(String text, String secret) {
        if (text == null || secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, MASK);
    }
}
