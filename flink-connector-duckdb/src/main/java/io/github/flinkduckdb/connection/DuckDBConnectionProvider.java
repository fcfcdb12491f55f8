package io.github.flinkduckdb.connection;

import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.annotation.Internal;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how to connect: a {@code jdbc:duckdb:} URL (file, in-memory or MotherDuck {@code md:}),
 * the MotherDuck token and DuckDB settings applied at connect time. Safe to log: {@link
 * #toString()} and {@link #redactedUrl()} never contain the token.
 *
 * <p>Memory is bounded by default: every connection sets {@code memory_limit} to {@value
 * #DEFAULT_MEMORY_LIMIT} (DuckDB's own default is 80% of the machine's RAM, too much for a process
 * that shares the machine with other slots) and, unless the settings name a {@code temp_directory},
 * spills below {@link #spillDirectory()} of the process that connects (the TaskManager's {@code
 * java.io.tmpdir}). Both are settings of the database instance, which DuckDB shares between the
 * connections of one process to one file: the last connection's {@code memory_limit} holds for all
 * of them.
 */
@Internal
public final class DuckDBConnectionProvider implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String URL_PREFIX = "jdbc:duckdb:";

    /** The environment variable DuckDB's MotherDuck extension reads the token from. */
    public static final String TOKEN_ENV = "motherduck_token";

    /** The {@code memory_limit} of every connection whose settings do not name one. */
    public static final String DEFAULT_MEMORY_LIMIT = "512MB";

    private static final String MEMORY_LIMIT = "memory_limit";

    /** Held while a connection sets its instance's options (see {@code applySettings}). */
    private static final Object SETTINGS_LOCK = new Object();

    private static final String TEMP_DIRECTORY = "temp_directory";

    private static final String TOKEN_PROPERTY = "motherduck_token";
    private static final String READ_ONLY_PROPERTY = "duckdb.read_only";

    /**
     * DuckDB's buffer manager ends every allocation failure ("could not allocate block", "failed to
     * pin block", "failed to allocate data", ...) with its usage against the limit, e.g. "(30.6
     * MiB/30.5 MiB used)"; the appender reports it without the "Out of Memory Error" type.
     */
    private static final Pattern BUFFER_USAGE =
            Pattern.compile("\\([0-9.]+ ?[A-Za-z]*/[0-9.]+ ?[A-Za-z]* used\\)");

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

    /** The settings given to this provider (without the defaults {@link #open()} adds). */
    public Map<String, String> settings() {
        return settings;
    }

    /**
     * The {@code memory_limit} connections get: the configured one or {@value
     * #DEFAULT_MEMORY_LIMIT}.
     */
    public String memoryLimit() {
        return settings.getOrDefault(MEMORY_LIMIT, DEFAULT_MEMORY_LIMIT);
    }

    /**
     * Where connections spill ({@code temp_directory}) unless the settings name a folder: a folder
     * per database instance below {@code flink-duckdb/spill} under {@code java.io.tmpdir} of this
     * process.
     */
    public static Path spillDirectory() {
        return Paths.get(System.getProperty("java.io.tmpdir"), "flink-duckdb", "spill");
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
        Map<String, String> effective = new LinkedHashMap<>();
        effective.put(MEMORY_LIMIT, DEFAULT_MEMORY_LIMIT);
        effective.putAll(settings);
        // One connection at a time sets an instance's options: DuckDB 2.0.0 reads and writes them
        // without a lock, and a connection reading temp_directory while another (of the same
        // file, so of the same instance) set it got "Invalid unicode (byte sequence mismatch)
        // detected in value construction" (DirectWriteTest, four writers opening one file at
        // once, under load). Opening connections is rare; the lock is held for a few SETs.
        synchronized (SETTINGS_LOCK) {
            try (Statement st = c.createStatement()) {
                for (Map.Entry<String, String> e : effective.entrySet()) {
                    st.execute(
                            "SET "
                                    + SqlIdentifiers.quote(e.getKey())
                                    + " = "
                                    + SqlIdentifiers.literal(e.getValue()));
                }
                if (!settings.containsKey(TEMP_DIRECTORY)) {
                    spillToLocalTemp(st);
                }
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
    }

    /**
     * Gives the database instance a {@code temp_directory} of its own below {@link
     * #spillDirectory()}, unless it has one there already (DuckDB shares an instance between the
     * connections of a process to one file). A folder per instance: DuckDB names its spill files
     * the same way in every instance and removes the folder it created when the instance closes.
     * DuckDB refuses to move a temporary directory it has used; such an instance keeps its folder.
     */
    private static void spillToLocalTemp(Statement st) throws SQLException {
        Path parent = spillDirectory();
        try (ResultSet rs = st.executeQuery("SELECT current_setting('temp_directory')")) {
            if (rs.next()
                    && rs.getString(1) != null
                    && rs.getString(1).startsWith(parent.toString())) {
                return;
            }
        }
        try {
            // DuckDB creates the instance's folder when it first spills, but not its parents.
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new SQLException(
                    "Cannot create the spill folder " + parent + ": " + e.getMessage(), e);
        }
        try {
            st.execute(
                    "SET temp_directory = "
                            + SqlIdentifiers.literal(
                                    parent.resolve(UUID.randomUUID().toString()).toString()));
        } catch (SQLException e) {
            String m = e.getMessage();
            if (m == null || !m.contains("Cannot switch temporary directory")) {
                throw e;
            }
        }
    }

    /**
     * Returns {@code e} with the token masked in its message, keeping the cause chain; an
     * out-of-memory error also names the {@code memory_limit} and how to raise it.
     */
    public SQLException scrub(SQLException e) {
        String message = e.getMessage();
        String clean = redact(message == null ? "" : message);
        if (token != null) {
            clean = token.redact(clean);
        }
        // Statements fail with "Out of Memory Error: ..."; the appender with "Failed to append:
        // could not allocate block of size ..." or "failed to pin block of size ...", without it.
        if (clean.contains("Out of Memory Error") || BUFFER_USAGE.matcher(clean).find()) {
            clean =
                    "DuckDB ran out of its memory_limit of "
                            + memoryLimit()
                            + " (raise it with the DuckDB setting memory_limit: the sink's"
                            + " setDuckDBSetting, the SQL option 'memory-limit'): "
                            + clean;
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
