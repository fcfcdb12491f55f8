package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.connection.DuckDBErrorClassifier;
import io.github.flinkduckdb.otter.OtterMessage;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Parses a batch's messages against the incoming schema and loads them into the batch table, one
 * row per message in message order; a message that does not parse or that DuckDB cannot load
 * becomes a dead letter (stage {@code parse}) and the others still get their rows.
 *
 * <p>The normalized JSON goes through DuckDB's appender into the raw table and from there, with one
 * {@code json_transform_strict}, into the batch table: one statement per batch, not per message.
 */
final class MessageLoader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MessageLoader.class);

    private final MessageNormalizer normalizer;
    private final int maxMessageBytes;
    private final DuckDBAppender appender;
    private final ReusableStatement loadBatch;
    private final ReusableStatement loadOne;
    private final Statement plain;

    MessageLoader(
            Connection connection, IncomingSchema schema, int maxMessageBytes, JsonLimits limits)
            throws SQLException {
        this.normalizer = new MessageNormalizer(schema, limits);
        this.maxMessageBytes = maxMessageBytes;
        this.appender =
                connection
                        .unwrap(DuckDBConnection.class)
                        .createAppender(
                                OtterDatabase.CATALOG,
                                OtterDatabase.SCHEMA,
                                OtterDatabase.RAW_TABLE);
        // Flink calls an operator from one thread at a time, but not always the same one:
        // chained after a legacy SourceFunction (e.g. RabbitMQ's RMQSource) records arrive on
        // the source's thread and timers and barriers on the task thread, serialized by the
        // checkpoint lock. DuckDB's appender refuses a second thread unless told otherwise.
        this.appender.unsafeBreakThreadConfinement();
        String structure = SqlIdentifiers.literal(schema.jsonStructure());
        this.loadBatch =
                new ReusableStatement(
                        connection,
                        "INSERT INTO "
                                + OtterDatabase.QUALIFIED_BATCH
                                + " SELECT unnest(json_transform_strict(doc, "
                                + structure
                                + ")) FROM "
                                + OtterDatabase.QUALIFIED_RAW
                                + " ORDER BY seq");
        this.loadOne =
                new ReusableStatement(
                        connection,
                        "INSERT INTO "
                                + OtterDatabase.QUALIFIED_BATCH
                                + " SELECT unnest(json_transform_strict(CAST(? AS VARCHAR), "
                                + structure
                                + "))");
        this.plain = connection.createStatement();
    }

    /**
     * Each message as normalized JSON, or null when it is too large or does not fit the incoming
     * schema (then its outcome has the dead letter).
     */
    String[] parse(List<OtterMessage> messages, List<MessageOutcome> outcomes) {
        String[] docs = new String[messages.size()];
        for (int i = 0; i < docs.length; i++) {
            byte[] payload = messages.get(i).getPayload();
            if (payload != null && maxMessageBytes > 0 && payload.length > maxMessageBytes) {
                outcomes.get(i)
                        .failParse(
                                "the message has "
                                        + payload.length
                                        + " bytes, more than the limit of "
                                        + maxMessageBytes);
                continue;
            }
            try {
                docs[i] = normalizer.normalize(payload);
            } catch (MessageRejectedException e) {
                outcomes.get(i).failParse(e.getMessage());
            }
        }
        return docs;
    }

    /**
     * Loads the parsed messages into the batch table.
     *
     * @param parsed how many of {@code docs} are not null
     * @return the indices of the loaded messages, in row order
     */
    int[] load(String[] docs, List<MessageOutcome> outcomes, int parsed) throws SQLException {
        for (int i = 0; i < docs.length; i++) {
            if (docs[i] != null) {
                appender.beginRow();
                appender.append((long) i);
                appender.append(docs[i]);
                appender.endRow();
            }
        }
        appender.flush();
        int[] loaded = new int[parsed];
        try {
            loadBatch.get().execute();
            int k = 0;
            for (int i = 0; i < docs.length; i++) {
                if (docs[i] != null) {
                    loaded[k++] = i;
                }
            }
            return loaded;
        } catch (SQLException e) {
            if (!DuckDBErrorClassifier.isPermanent(e)) {
                throw e;
            }
            // One message has a value DuckDB cannot take (a bad timestamp, UUID, ...): load one
            // by one, in order, so the others still get their rows.
            // No DuckDB text in the log: it may quote a value of the message.
            LOG.debug("A message of the batch has a value DuckDB rejects; loading one by one");
            int k = 0;
            for (int i = 0; i < docs.length; i++) {
                if (docs[i] == null) {
                    continue;
                }
                try {
                    PreparedStatement one = loadOne.get();
                    one.setString(1, docs[i]);
                    one.execute();
                    loaded[k++] = i;
                } catch (SQLException one) {
                    if (!DuckDBErrorClassifier.isPermanent(one)) {
                        throw one;
                    }
                    outcomes.get(i).failParse(one.getMessage());
                }
            }
            return Arrays.copyOf(loaded, k);
        } finally {
            plain.execute("DELETE FROM " + OtterDatabase.QUALIFIED_RAW);
        }
    }

    /** The row id of each loaded message. */
    BatchPositions positions(int[] loaded) throws SQLException {
        try (ResultSet rs =
                plain.executeQuery(
                        "SELECT min(rowid), max(rowid), count(*) FROM "
                                + OtterDatabase.QUALIFIED_BATCH)) {
            rs.next();
            long min = rs.getLong(1);
            long max = rs.getLong(2);
            long count = rs.getLong(3);
            if (count != loaded.length) {
                throw new SQLException(
                        "INTERNAL: the batch table has "
                                + count
                                + " rows for "
                                + loaded.length
                                + " messages");
            }
            if (max - min + 1 == count) {
                return BatchPositions.contiguous(min);
            }
        }
        long[] rowIds = new long[loaded.length];
        try (ResultSet rs =
                plain.executeQuery(
                        "SELECT rowid FROM " + OtterDatabase.QUALIFIED_BATCH + " ORDER BY rowid")) {
            int k = 0;
            while (rs.next()) {
                rowIds[k++] = rs.getLong(1);
            }
        }
        return BatchPositions.listed(rowIds);
    }

    /** Empties the batch table for the next batch. */
    void clear() throws SQLException {
        plain.execute("DELETE FROM " + OtterDatabase.QUALIFIED_BATCH);
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        for (AutoCloseable c : new AutoCloseable[] {loadBatch, loadOne, plain, appender}) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof SQLException ? (SQLException) e : new SQLException(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
