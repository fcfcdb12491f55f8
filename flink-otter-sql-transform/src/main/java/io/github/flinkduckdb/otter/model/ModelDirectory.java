package io.github.flinkduckdb.otter.model;

import org.apache.flink.annotation.PublicEvolving;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Loads an Otter project's models: every {@code *.sql} file directly in a folder (not in
 * sub-folders) is one model named after its file, in file-name order.
 */
@PublicEvolving
public final class ModelDirectory {

    private ModelDirectory() {}

    /**
     * Reads the models in {@code directory}.
     *
     * @throws IOException when the folder cannot be read; the message names it
     */
    public static List<OtterModel> load(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException(
                    "The models folder " + directory + " does not exist or is not a folder");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(".sql") && Files.isRegularFile(entry)) {
                    files.add(entry);
                }
            }
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<OtterModel> models = new ArrayList<>(files.size());
        for (Path file : files) {
            models.add(OtterModel.fromFile(file));
        }
        return models;
    }
}
