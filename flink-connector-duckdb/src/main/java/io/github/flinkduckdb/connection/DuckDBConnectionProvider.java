package io.github.flinkduckdb.connection;

import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how to connect: a {@code jdbc:duckdb:} URL (file, in-memory or MotherDuck {@code md:}),
 * the MotherDuck token and DuckDB settings applied at connect time. Safe to log: {@link
 * #toString()} and {@link #redactedUrl()} never contain the token.
 */
@Internal
public final class DuckDBConnectionProvider implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String URL_PREFIX = "jdbc:duckdb:";

    /** The environment variable DuckDB's MotherDuck extension reads the token from. */
    public static final String TOKEN_ENV = "motherduck_token";

    private static final String TOKEN_PROPERTY = "motherduck_token";
    private static final String READ_ONLY_PROPERTY = "duckdb.read_only";
    private static final Pattern URL_TOKEN =
            Pattern.compile("((?:motherduck_)?token=)[^&;]*", Pattern.CASE_INSENSITIVE);

    private final String url;
    private final Secret token;
    private final Map<String, String> settings;

    public DuckDBConnectionProvider(String url, Secret token, Map<String, String> settings) {
        this.url = validateUrl(url);
        this.token = token;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        if (token != null && !isMotherDuck()) {
            throw new IllegalArgumentException(
                    "A MotherDuck token was given but the URL "
                            + redactedUrl()
                            + " is not a MotherDuck URL (jdbc:duckdb:md:<database>)");
        }
    }

    public static DuckDBConnectionProvider of(String url) {
        return new DuckDBConnectionProvider(url, null, Collections.emptyMap());
    }

    private static String validateUrl(String url) {
        if (url == null || url.trim().isEmpty()) {
            throw new IllegalArgumentException(
                    "The DuckDB URL must be set, e.g. jdbc:duckdb:/data/db.duckdb or jdbc:duckdb:md:my_db");
        }
        if (!url.startsWith(URL_PREFIX)) {
            throw new IllegalArgumentException(
                    "The DuckDB URL must start with '"
                            + URL_PREFIX
                            + "' (got '"
                            + redact(url)
                            + "'), e.g. jdbc:duckdb:/data/db.duckdb or jdbc:duckdb:md:my_db");
        }
        return url;
    }

    private static String redact(String url) {
        Matcher m = URL_TOKEN.matcher(url);
        return m.replaceAll("$1******");
    }

    public String url() {
        return url;
    }

    /** The URL with any inline token masked: the only form that may reach a log or message. */
    public String redactedUrl() {
        return redact(url);
    }

    public Map<String, String> settings() {
        return settings;
    }

    public Optional<Secret> token() {
        return Optional.ofNullable(token);
    }

    /** The part after {@code jdbc:duckdb:} and before any {@code ?} options. */
    public String target() {
        String rest = url.substring(URL_PREFIX.length());
        int q = rest.indexOf('?');
        return q >= 0 ? rest.substring(0, q) : rest;
    }

    public boolean isMotherDuck() {
        String t = target().toLowerCase(Locale.ROOT);
        return t.startsWith("md:") || t.startsWith("motherduck:");
    }

    public boolean isInMemory() {
        String t = target();
        return t.isEmpty() || t.startsWith(":memory:");
    }

    /** The database file for a local-file URL. */
    public Optional<Path> localFile() {
        if (isMotherDuck() || isInMemory()) {
            return Optional.empty();
        }
        return Optional.of(Paths.get(target()).toAbsolutePath());
    }

    /** A short name for messages: the file path, the MotherDuck database or "in-memory". */
    public String describe() {
        if (isInMemory()) {
            return "in-memory database";
        }
        if (isMotherDuck()) {
            return "MotherDuck database '" + redact(target()) + "'";
        }
        return "DuckDB file " + localFile().map(Path::toString).orElse(target());
    }

    /** Opens a read-write connection with the settings applied. */
    public Connection open() throws SQLException {
        return open(false);
    }

    /**
     * Opens a connection for reading: read-only, so several processes may read the file at once;
     * when this process already has the file open read-write (DuckDB keeps one database instance
     * per file and process, and refuses a second one with other settings), a connection to that
     * instance instead. In-memory and MotherDuck databases are opened as usual.
     */
    public Connection openForReading() throws SQLException {
        if (!localFile().isPresent()) {
            return open(false);
        }
        try {
            return open(true);
        } catch (SQLException e) {
            if (DuckDBErrorClassifier.isConfigurationConflict(e)) {
                return open(false);
            }
            throw e;
        }
    }

    /** The JDBC properties a connection is opened with (holds the token: never log them). */
    Properties connectionProperties(boolean readOnly) {
        Properties props = new Properties();
        if (readOnly) {
            props.setProperty(READ_ONLY_PROPERTY, "true");
        }
        if (token != null) {
            props.setProperty(TOKEN_PROPERTY, token.reveal());
        }
        return props;
    }

    private Connection open(boolean readOnly) throws SQLException {
        Properties props = connectionProperties(readOnly);
        if (!readOnly) {
            // DuckDB creates a missing database file but not its folder.
            Optional<Path> file = localFile();
            if (file.isPresent() && file.get().getParent() != null) {
                try {
                    java.nio.file.Files.createDirectories(file.get().getParent());
                } catch (java.io.IOException e) {
                    throw new SQLException(
                            "Cannot create the folder of " + describe() + ": " + e.getMessage(), e);
                }
            }
        }
        try {
            Connection c = DuckDBDriverConnections.connect(url, props);
            applySettings(c);
            return c;
        } catch (SQLException e) {
            throw scrub(e);
        }
    }

    private void applySettings(Connection c) throws SQLException {
        if (settings.isEmpty()) {
            return;
        }
        try (Statement st = c.createStatement()) {
            for (Map.Entry<String, String> e : settings.entrySet()) {
                st.execute(
                        "SET "
                                + SqlIdentifiers.quote(e.getKey())
                                + " = "
                                + SqlIdentifiers.literal(e.getValue()));
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** Returns {@code e} with the token masked in its message, keeping the cause chain. */
    public SQLException scrub(SQLException e) {
        String message = e.getMessage();
        String clean = redact(message == null ? "" : message);
        if (token != null) {
            clean = token.redact(clean);
        }
        if (clean.equals(message)) {
            return e;
        }
        SQLException scrubbed = new SQLException(clean, e.getSQLState(), e.getErrorCode());
        scrubbed.setStackTrace(e.getStackTrace());
        return scrubbed;
    }

    @Override
    public String toString() {
        return "DuckDBConnectionProvider{url="
                + redactedUrl()
                + (token != null ? ", token=******" : "")
                + (settings.isEmpty() ? "" : ", settings=" + settings.keySet())
                + '}';
    }
}
