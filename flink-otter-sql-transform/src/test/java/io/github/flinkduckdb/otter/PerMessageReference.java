package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.MessageNormalizer;
import io.github.flinkduckdb.otter.internal.MessageRejectedException;
import io.github.flinkduckdb.otter.internal.ModelRowReader;
import io.github.flinkduckdb.otter.model.ModelAnalysis;
import io.github.flinkduckdb.schema.SqlIdentifiers;

import org.apache.flink.types.Row;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The contract, executed literally: for each message, a fresh one-row table named {@code incoming}
 * and each model's SQL as written. No batching, no rewriting, no view; only the strict parsing and
 * the conversion of result values are shared with the transform.
 */
final class PerMessageReference implements AutoCloseable {

    /** What the contract says one message yields. */
    static final class Outcome {
        final List<List<Row>> rows = new ArrayList<>();
        final List<String> deadLetters = new ArrayList<>();

        @Override
        public String toString() {
            return "rows=" + rows + ", deadLetters=" + deadLetters;
        }
    }

    private final Connection connection;
    private final MessageNormalizer normalizer;
    private final String structure;
    private final List<ModelAnalysis> models;
    private final List<ModelRowReader> readers = new ArrayList<>();

    PerMessageReference(OtterTransform transform) throws SQLException {
        this.connection = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = connection.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            st.execute("SET threads = 1");
        }
        this.normalizer = new MessageNormalizer(transform.incomingSchema());
        this.structure = transform.incomingSchema().jsonStructure();
        this.models = transform.models();
        for (ModelAnalysis m : models) {
            readers.add(new ModelRowReader(m));
        }
    }

    Outcome run(String message) throws SQLException {
        Outcome outcome = new Outcome();
        for (int i = 0; i < models.size(); i++) {
            outcome.rows.add(new ArrayList<>());
        }
        String doc;
        try {
            doc = normalizer.normalize(message.getBytes(StandardCharsets.UTF_8));
        } catch (MessageRejectedException e) {
            outcome.deadLetters.add(deadLetter(OtterStage.PARSE, null, e.getMessage()));
            return outcome;
        }
        try (Statement st = connection.createStatement()) {
            // A plain statement: re-executing a prepared CREATE ... AS SELECT crashes DuckDB.
            st.execute(
                    "CREATE OR REPLACE TEMP TABLE incoming AS SELECT unnest(json_transform_strict("
                            + SqlIdentifiers.literal(doc)
                            + ", "
                            + SqlIdentifiers.literal(structure)
                            + "))");
        } catch (SQLException e) {
            outcome.deadLetters.add(deadLetter(OtterStage.PARSE, null, e.getMessage()));
            return outcome;
        }
        for (int i = 0; i < models.size(); i++) {
            List<Row> rows = new ArrayList<>();
            try (Statement st = connection.createStatement();
                    ResultSet rs = st.executeQuery(models.get(i).model().sql())) {
                while (rs.next()) {
                    rows.add(readers.get(i).read(rs));
                }
                outcome.rows.get(i).addAll(rows);
            } catch (SQLException e) {
                outcome.deadLetters.add(
                        deadLetter(OtterStage.TRANSFORM, models.get(i).name(), e.getMessage()));
            } catch (ModelRowReader.RowConversionException e) {
                outcome.deadLetters.add(
                        deadLetter(OtterStage.CONVERT, models.get(i).name(), e.getMessage()));
            }
        }
        return outcome;
    }

    /**
     * Runs {@code messages} through {@code engine} in chunks of random sizes (1 to 250, from {@code
     * seed}), numbering them from 0.
     */
    static List<OtterResult> inRandomChunks(OtterEngine engine, List<String> messages, long seed)
            throws SQLException {
        List<OtterResult> results = new ArrayList<>();
        Random sizes = new Random(seed);
        int i = 0;
        while (i < messages.size()) {
            int n = Math.min(messages.size() - i, 1 + sizes.nextInt(250));
            List<OtterMessage> chunk = new ArrayList<>();
            for (String m : messages.subList(i, i + n)) {
                chunk.add(OtterMessage.of(m));
            }
            results.addAll(engine.process(chunk, i));
            i += n;
        }
        return results;
    }

    /** A result's dead letters, as {@link #deadLetter(OtterDeadLetter)} writes them. */
    static List<String> deadLetters(OtterResult result) {
        List<String> out = new ArrayList<>();
        for (OtterDeadLetter d : result.deadLetters()) {
            out.add(deadLetter(d));
        }
        return out;
    }

    static String deadLetter(OtterStage stage, String model, String error) {
        return stage.label() + "|" + model + "|" + error;
    }

    static String deadLetter(OtterDeadLetter d) {
        return deadLetter(d.getStage(), d.getModel(), d.getError());
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
