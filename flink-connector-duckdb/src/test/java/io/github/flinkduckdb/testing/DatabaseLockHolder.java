package io.github.flinkduckdb.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM process that opens a DuckDB file read-write and holds it, the way another
 * application would: DuckDB then refuses the file to every other process. Or, with {@link
 * #holdReadOnly}, a reader (a BI tool, the CLI with {@code -readonly}): other processes may then
 * open the file read-only but not read-write. Closing this object (or the test JVM dying) ends the
 * process.
 */
public final class DatabaseLockHolder implements AutoCloseable {

    private static final String READ_ONLY = "read-only";

    private final Process process;

    private DatabaseLockHolder(Process process) {
        this.process = process;
    }

    public static DatabaseLockHolder hold(Path database) throws IOException, InterruptedException {
        return start(database, false);
    }

    /** A process that holds the file open read-only. */
    public static DatabaseLockHolder holdReadOnly(Path database)
            throws IOException, InterruptedException {
        return start(database, true);
    }

    private static DatabaseLockHolder start(Path database, boolean readOnly)
            throws IOException, InterruptedException {
        String java =
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DatabaseLockHolder.class.getName());
        cmd.add(database.toAbsolutePath().toString());
        if (readOnly) {
            cmd.add(READ_ONLY);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"LOCKED".equals(line)) {
            p.destroyForcibly();
            throw new IOException("Lock holder did not start: " + line);
        }
        return new DatabaseLockHolder(p);
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Entry point of the holder process: opens the file, reports, waits until stdin closes. */
    public static void main(String[] args) throws Exception {
        boolean readOnly = args.length > 1 && READ_ONLY.equals(args[1]);
        Properties props = new Properties();
        if (readOnly) {
            props.setProperty("duckdb.read_only", "true");
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0], props)) {
            if (!readOnly) {
                c.createStatement()
                        .execute("CREATE TABLE IF NOT EXISTS lock_holder_marker (x INTEGER)");
            }
            System.out.println("LOCKED");
            System.out.flush();
            // Stay alive until the parent closes us (or dies: stdin then reaches end of stream).
            while (System.in.read() >= 0) {
                // keep holding
            }
        }
    }
}
