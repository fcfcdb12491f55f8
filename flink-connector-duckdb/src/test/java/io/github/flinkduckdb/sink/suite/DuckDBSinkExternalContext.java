package io.github.flinkduckdb.sink.suite;

import io.github.flinkduckdb.sink.DuckDBRowAppender;
import io.github.flinkduckdb.sink.DuckDBSink;
import io.github.flinkduckdb.sink.RowWriter;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * One test of Flink's sink suite against a fresh DuckDB file: a one-column table {@code records
 * (payload VARCHAR NOT NULL)}, a {@link DuckDBSink} with a typed {@link RowWriter} for strings in
 * the delivery guarantee the test asks for, and a reader of what the sink committed.
 *
 * <p>With {@code releaseBetweenCommits} the sink is built with {@code
 * setReleaseDatabaseBetweenCommits(true)}: every write then goes through the committer, which opens
 * the file for each commit and closes it after, in both guarantees and at every parallelism.
 * Without it the sink keeps its defaults: at-least-once writers write directly (the MiniCluster is
 * one process), exactly-once goes through the committer.
 *
 * <p>The context holds one connection to the file from before the job until after it, and the
 * reader queries through it. A reader that opened and closed a connection per poll would race the
 * sink's connections in the same process: when DuckDB shuts an instance down (its last connection
 * closed) while other threads open the file, those opens fail with {@code Unique file handle
 * conflict}, and often (43 of 200 rounds of four threads opening while a fifth opened and closed,
 * duckdb_jdbc 2.0.0.1) later opens in the process keep failing for as long as the connection that
 * won stays open. The sink retries the conflict, but a writer that lost to another writer of the
 * same job then waits in vain. With the instance held open for the whole case, no open races a
 * shutdown; with the file released between commits the committer still opens and closes its
 * connection for each commit, while the file stays open in this process.
 */
public final class DuckDBSinkExternalContext implements DataStreamSinkV2ExternalContext<String> {

    static final String TABLE = "records";

    /** Letters, quotes, a backslash and characters outside ASCII: each must come back unchanged. */
    private static final String[] ALPHABET = {
        "a", "b", "c", "x", "y", "z", "0", "7", "9", " ", "'", "\"", "\\", ",", "ü", "ß", "日本", "🦆"
    };

    private final boolean releaseBetweenCommits;
    private final Path dir;
    private final DuckDBTestDatabase database;
    private final Connection connection;

    DuckDBSinkExternalContext(Path parent, boolean releaseBetweenCommits) throws IOException {
        this.releaseBetweenCommits = releaseBetweenCommits;
        Files.createDirectories(parent);
        this.dir = Files.createTempDirectory(parent, "duckdb-sink-suite-");
        this.database = DuckDBTestDatabase.at(dir.resolve("suite.duckdb"));
        try {
            this.connection = DriverManager.getConnection(database.url());
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE TABLE " + TABLE + " (payload VARCHAR NOT NULL)");
            }
        } catch (SQLException e) {
            throw new IOException("Could not create the table in " + database.url(), e);
        }
    }

    /** Where the JVM's temporary files go (the build points it at the module's target folder). */
    static Path temporaryFolder() {
        return Paths.get(System.getProperty("java.io.tmpdir"));
    }

    @Override
    public Sink<String> createSink(TestingSinkSettings sinkSettings) {
        return DuckDBSink.forRowWriter(database.url(), TABLE, new PayloadWriter())
                .setDeliveryGuarantee(deliveryGuarantee(sinkSettings))
                .setReleaseDatabaseBetweenCommits(releaseBetweenCommits)
                .build();
    }

    /**
     * The suite's semantic as the sink's guarantee. {@code getCheckpointingMode()} returns the
     * deprecated {@code org.apache.flink.streaming.api.CheckpointingMode} on both Flink lines; it
     * is the only accessor {@link TestingSinkSettings} has in 1.20 and 2.2 alike, and the names of
     * its constants are the names of {@link DeliveryGuarantee}'s.
     */
    @SuppressWarnings("deprecation")
    static DeliveryGuarantee deliveryGuarantee(TestingSinkSettings sinkSettings) {
        return DeliveryGuarantee.valueOf(sinkSettings.getCheckpointingMode().name());
    }

    @Override
    public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
        return new DuckDBTableReader(connection, TABLE);
    }

    /**
     * 300 to 599 distinct strings of 1 to 24 symbols; the running number in front keeps them
     * distinct, as the suite requires.
     */
    @Override
    public List<String> generateTestData(TestingSinkSettings sinkSettings, long seed) {
        Random random = new Random(seed);
        int size = 300 + random.nextInt(300);
        List<String> records = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            StringBuilder record = new StringBuilder().append(i).append('-');
            int symbols = 1 + random.nextInt(24);
            for (int s = 0; s < symbols; s++) {
                record.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            records.add(record.toString());
        }
        return records;
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    /** The sink runs from the test's classpath on the MiniCluster: no jars to ship. */
    @Override
    public List<URL> getConnectorJarPaths() {
        return Collections.emptyList();
    }

    @Override
    public void close() throws IOException, SQLException {
        connection.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return releaseBetweenCommits ? "DuckDB file released between commits" : "DuckDB file";
    }

    /** Appends a record as the table's one column. */
    static final class PayloadWriter implements RowWriter<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void write(String record, DuckDBRowAppender row) {
            row.append(record);
        }
    }
}
