package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.OtterResult;
import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.schema.ColumnSchema;

import org.apache.flink.types.Row;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Prints each model's rows for a list of messages, as text tables or as JSON. */
final class RowPrinter {

    private final OtterTransform transform;
    private final List<String> models;

    RowPrinter(OtterTransform transform) {
        this.transform = transform;
        this.models = transform.modelNames();
    }

    void table(List<OtterResult> results, PrintStream out) {
        for (int m = 0; m < models.size(); m++) {
            String model = models.get(m);
            List<ColumnSchema> columns = columns(m, results);
            List<String[]> cells = new ArrayList<>();
            for (OtterResult r : results) {
                for (Row row : r.rows(m)) {
                    String[] line = new String[columns.size()];
                    for (int c = 0; c < columns.size(); c++) {
                        line[c] =
                                has(row, columns.get(c).name())
                                        ? Values.text(row.getField(columns.get(c).name()))
                                        : "";
                    }
                    cells.add(line);
                }
            }
            out.println(model + ": " + cells.size() + (cells.size() == 1 ? " row" : " rows"));
            int[] width = new int[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                width[c] = columns.get(c).name().length();
                for (String[] line : cells) {
                    width[c] = Math.max(width[c], line[c].length());
                }
            }
            StringBuilder header = new StringBuilder();
            StringBuilder rule = new StringBuilder();
            for (int c = 0; c < columns.size(); c++) {
                header.append(c == 0 ? "| " : " | ").append(pad(columns.get(c).name(), width[c]));
                rule.append(c == 0 ? "|-" : "-|-").append("-".repeat(width[c]));
            }
            out.println(header.append(" |"));
            out.println(rule.append("-|"));
            for (String[] line : cells) {
                StringBuilder sb = new StringBuilder();
                for (int c = 0; c < line.length; c++) {
                    sb.append(c == 0 ? "| " : " | ").append(pad(line[c], width[c]));
                }
                out.println(sb.append(" |"));
            }
            out.println();
        }
        List<OtterDeadLetter> dead = deadLetters(results);
        out.println("dead letters: " + dead.size());
        for (OtterDeadLetter d : dead) {
            out.println(
                    "  message "
                            + (d.getMessageNumber())
                            + ", stage "
                            + d.getStage().label()
                            + (d.getModel() == null ? "" : ", model " + d.getModel())
                            + ": "
                            + d.getError());
        }
    }

    String json(List<OtterResult> results) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            g.writeStartObject();
            g.writeObjectFieldStart("models");
            for (int m = 0; m < models.size(); m++) {
                g.writeArrayFieldStart(models.get(m));
                for (OtterResult r : results) {
                    for (Row row : r.rows(m)) {
                        g.writeStartObject();
                        for (ColumnSchema c : r.columns(m)) {
                            g.writeFieldName(c.name());
                            Values.json(g, row.getField(c.name()));
                        }
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeArrayFieldStart("dead_letters");
            for (OtterDeadLetter d : deadLetters(results)) {
                g.writeStartObject();
                g.writeNumberField("message", d.getMessageNumber());
                g.writeStringField("stage", d.getStage().label());
                g.writeStringField("model", d.getModel());
                g.writeStringField("error", d.getError());
                g.writeStringField("body", d.payloadAsString());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return w.toString();
    }

    /**
     * The model's output columns; without incoming.schema the columns of its rows follow each
     * message's shape, so the table has every column name any row has, in order of appearance.
     */
    private List<ColumnSchema> columns(int m, List<OtterResult> results) {
        if (!transform.isSchemaFree()) {
            return transform.outputSchema(models.get(m));
        }
        Map<String, ColumnSchema> byName = new LinkedHashMap<>();
        for (OtterResult r : results) {
            if (!r.rows(m).isEmpty()) {
                for (ColumnSchema c : r.columns(m)) {
                    byName.putIfAbsent(c.name(), c);
                }
            }
        }
        return new ArrayList<>(byName.values());
    }

    private static boolean has(Row row, String name) {
        Set<String> names = row.getFieldNames(false);
        return names == null || names.contains(name);
    }

    private static List<OtterDeadLetter> deadLetters(List<OtterResult> results) {
        List<OtterDeadLetter> out = new ArrayList<>();
        for (OtterResult r : results) {
            out.addAll(r.deadLetters());
        }
        return out;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
