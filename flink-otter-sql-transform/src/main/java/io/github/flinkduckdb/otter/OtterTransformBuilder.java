package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.internal.DuckDBSettings;
import io.github.flinkduckdb.otter.internal.JsonLimits;
import io.github.flinkduckdb.otter.internal.ModelPlan;
import io.github.flinkduckdb.otter.internal.OtterDatabase;
import io.github.flinkduckdb.otter.internal.SchemaFreeRunner;
import io.github.flinkduckdb.otter.internal.TransformPlan;
import io.github.flinkduckdb.otter.internal.analysis.ModelAnalyzer;
import io.github.flinkduckdb.otter.model.IncomingSchema;
import io.github.flinkduckdb.otter.model.ModelDirectory;
import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.model.OtterModelException;

import org.apache.flink.annotation.PublicEvolving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds an {@link OtterTransform}. Required: at least one model. {@link #build()} validates every
 * model in a local DuckDB set up like the operator's and fails with an {@link OtterModelException}
 * naming the model, or an {@link IllegalArgumentException} naming the wrong setting.
 *
 * <p>With an incoming schema ({@link #incomingSchema}, {@link #incomingSchemaFromSamples}) typing
 * is strict and each model's output schema is fixed when the job is built. Without one the
 * transform types each message alone, as Otter does ({@link IncomingSchema#inferFromMessage}), and
 * a model's columns depend on the message's shape: such a transform runs in an {@link OtterEngine}
 * ({@link OtterTransform#isSchemaFree()}).
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>maxBatchSize</td><td>1000</td><td>messages per micro-batch</td></tr>
 *   <tr><td>maxBatchDelay</td><td>200 ms</td><td>a partial batch is flushed after this time (0:
 *   only on size, checkpoint, watermark and end of input)</td></tr>
 *   <tr><td>maxBatchBytes</td><td>16 MiB</td><td>a batch is flushed when its bodies reach this
 *   size</td></tr>
 *   <tr><td>maxMessageBytes</td><td>8 MiB</td><td>larger messages are dead letters (0: no
 *   limit)</td></tr>
 *   <tr><td>maxJsonNestingDepth</td><td>1000</td><td>messages with objects and arrays nested
 *   deeper are dead letters</td></tr>
 *   <tr><td>maxJsonNumberLength</td><td>1000</td><td>messages with a longer number (in
 *   characters) are dead letters</td></tr>
 *   <tr><td>maxJsonStringLength</td><td>20,000,000</td><td>messages with a longer string or field
 *   name (in characters) are dead letters</td></tr>
 *   <tr><td>microBatching</td><td>true</td><td>false runs every model per message</td></tr>
 *   <tr><td>batchByMessage</td><td>true</td><td>false runs models that are not row-local per
 *   message instead of computing each message's rows separately in one batched query</td></tr>
 *   <tr><td>duckdbMemoryLimit</td><td>256MB</td><td>DuckDB {@code memory_limit} per operator
 *   instance</td></tr>
 *   <tr><td>duckdbThreads</td><td>1</td><td>DuckDB {@code threads} per operator instance (one
 *   slot, one core)</td></tr>
 *   <tr><td>duckdbTempDirectory</td><td>TaskManager temp folders</td><td>where DuckDB may
 *   spill</td></tr>
 *   <tr><td>duckdbMaxTempDirectorySize</td><td>1GB</td><td>DuckDB {@code
 *   max_temp_directory_size}</td></tr>
 *   <tr><td>duckdbTimeZone</td><td>UTC</td><td>DuckDB {@code TimeZone}</td></tr>
 *   <tr><td>allowExternalAccess</td><td>false</td><td>true lets models read files and the
 *   network ({@code read_csv}, {@code read_parquet}, ...)</td></tr>
 *   <tr><td>name</td><td>Otter models</td><td>the operator's name</td></tr>
 * </table>
 */
@PublicEvolving
public final class OtterTransformBuilder {

    public static final int DEFAULT_MAX_BATCH_SIZE = 1000;
    public static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ofMillis(200);
    public static final long DEFAULT_MAX_BATCH_BYTES = 16L * 1024 * 1024;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    public static final String DEFAULT_MEMORY_LIMIT = "256MB";
    public static final int DEFAULT_THREADS = 1;
    public static final String DEFAULT_MAX_TEMP_DIRECTORY_SIZE = "1GB";
    public static final String DEFAULT_TIME_ZONE = "UTC";

    private final List<OtterModel> models = new ArrayList<>();
    private final Map<String, String> outputSchemas = new LinkedHashMap<>();
    private IncomingSchema incomingSchema;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private Duration maxBatchDelay = DEFAULT_MAX_BATCH_DELAY;
    private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private int maxJsonNestingDepth = JsonLimits.DEFAULT_MAX_NESTING_DEPTH;
    private int maxJsonNumberLength = JsonLimits.DEFAULT_MAX_NUMBER_LENGTH;
    private int maxJsonStringLength = JsonLimits.DEFAULT_MAX_STRING_LENGTH;
    private boolean microBatching = true;
    private boolean batchByMessage = true;
    private String memoryLimit = DEFAULT_MEMORY_LIMIT;
    private int threads = DEFAULT_THREADS;
    private String tempDirectory;
    private String maxTempDirectorySize = DEFAULT_MAX_TEMP_DIRECTORY_SIZE;
    private String timeZone = DEFAULT_TIME_ZONE;
    private boolean externalAccess;
    private String name = "Otter models";

    OtterTransformBuilder() {}

    /** Adds a model; its name names its output stream, metrics and dead letters. */
    public OtterTransformBuilder addModel(String name, String sql) {
        return addModel(OtterModel.of(name, sql));
    }

    public OtterTransformBuilder addModel(OtterModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        models.add(model);
        return this;
    }

    public OtterTransformBuilder addModels(Collection<OtterModel> models) {
        for (OtterModel m : models) {
            addModel(m);
        }
        return this;
    }

    /** Adds every {@code *.sql} file of {@code directory}, named after the file, in name order. */
    public OtterTransformBuilder addModelsFromDirectory(Path directory) {
        try {
            List<OtterModel> loaded = ModelDirectory.load(directory);
            if (loaded.isEmpty()) {
                throw new IllegalArgumentException(
                        "The models folder " + directory + " has no .sql files");
            }
            return addModels(loaded);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * The incoming schema as {@code STRUCT(a BIGINT, ...)} or the column list {@code a BIGINT,
     * ...}; see {@link IncomingSchema}.
     */
    public OtterTransformBuilder incomingSchema(String schema) {
        this.incomingSchema = IncomingSchema.parse(schema);
        return this;
    }

    public OtterTransformBuilder incomingSchema(IncomingSchema schema) {
        this.incomingSchema = schema;
        return this;
    }

    /**
     * Infers the incoming schema from sample messages (see {@link
     * IncomingSchema#inferFromSamples}): the output schemas are then those of the models run
     * against the samples' shape, and later messages are held to it strictly.
     */
    public OtterTransformBuilder incomingSchemaFromSamples(String... samples) {
        return incomingSchemaFromSamples(Arrays.asList(samples));
    }

    public OtterTransformBuilder incomingSchemaFromSamples(Collection<String> samples) {
        this.incomingSchema = IncomingSchema.inferFromSamples(samples);
        return this;
    }

    /**
     * Declares the output schema of a model as column definitions ({@code order_id BIGINT NOT NULL,
     * total DECIMAL(12,2), ...}, e.g. the target table's): every column the model selects must be
     * declared and vice versa (by name, ignoring case); each value is converted strictly with the
     * DuckDB sink's rules, and a row that does not fit is a dead letter (stage convert).
     */
    public OtterTransformBuilder outputSchema(String model, String columnDefinitions) {
        if (columnDefinitions == null || columnDefinitions.trim().isEmpty()) {
            throw new IllegalArgumentException(
                    "The output schema of model '" + model + "' is empty");
        }
        outputSchemas.put(model, columnDefinitions);
        return this;
    }

    /** Messages per micro-batch (default 1000). */
    public OtterTransformBuilder maxBatchSize(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
        return this;
    }

    /** The longest a message waits in a partial batch (default 200 ms; 0 disables the timer). */
    public OtterTransformBuilder maxBatchDelay(Duration maxBatchDelay) {
        this.maxBatchDelay = maxBatchDelay;
        return this;
    }

    /** A batch is flushed when its message bodies reach this many bytes (default 16 MiB). */
    public OtterTransformBuilder maxBatchBytes(long maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    /** Larger messages are dead letters, stage parse (default 8 MiB; 0 for no limit). */
    public OtterTransformBuilder maxMessageBytes(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
        return this;
    }

    /**
     * Messages whose objects and arrays nest deeper (the message's object is level 1) are dead
     * letters, stage parse (default 1000). Checked on undeclared fields too.
     */
    public OtterTransformBuilder maxJsonNestingDepth(int maxJsonNestingDepth) {
        this.maxJsonNestingDepth = maxJsonNestingDepth;
        return this;
    }

    /**
     * Messages with a longer number, in characters, are dead letters, stage parse (default 1000):
     * reading a megabyte of digits as a BIGINT or DECIMAL would cost seconds.
     */
    public OtterTransformBuilder maxJsonNumberLength(int maxJsonNumberLength) {
        this.maxJsonNumberLength = maxJsonNumberLength;
        return this;
    }

    /**
     * Messages with a longer string value or field name, in characters, are dead letters, stage
     * parse (default 20,000,000).
     */
    public OtterTransformBuilder maxJsonStringLength(int maxJsonStringLength) {
        this.maxJsonStringLength = maxJsonStringLength;
        return this;
    }

    /** False runs every model once per message (slower; the output is the same). */
    public OtterTransformBuilder microBatching(boolean microBatching) {
        this.microBatching = microBatching;
        return this;
    }

    /**
     * True (the default) runs a model that is not row-local (aggregates, window functions, ORDER BY
     * / LIMIT, DISTINCT over a message's rows) once per batch, as one query that computes each
     * message's rows separately (DuckDB's lateral join); false runs such models once per message,
     * as before 0.2 (slower; the output is the same).
     */
    public OtterTransformBuilder batchByMessage(boolean batchByMessage) {
        this.batchByMessage = batchByMessage;
        return this;
    }

    /** DuckDB's {@code memory_limit} per operator instance, e.g. {@code 512MB} (default 256MB). */
    public OtterTransformBuilder duckdbMemoryLimit(String memoryLimit) {
        this.memoryLimit = memoryLimit;
        return this;
    }

    /** DuckDB's {@code threads} per operator instance (default 1). */
    public OtterTransformBuilder duckdbThreads(int threads) {
        this.threads = threads;
        return this;
    }

    /**
     * Where DuckDB may spill (a subfolder per operator instance is made and removed); default: the
     * TaskManager's temporary folders.
     */
    public OtterTransformBuilder duckdbTempDirectory(String tempDirectory) {
        this.tempDirectory = tempDirectory;
        return this;
    }

    /** DuckDB's {@code max_temp_directory_size} (default 1GB). */
    public OtterTransformBuilder duckdbMaxTempDirectorySize(String size) {
        this.maxTempDirectorySize = size;
        return this;
    }

    /** DuckDB's {@code TimeZone} (default UTC), used by TIMESTAMP WITH TIME ZONE. */
    public OtterTransformBuilder duckdbTimeZone(String timeZone) {
        this.timeZone = timeZone;
        return this;
    }

    /**
     * Whether models may read files and the network ({@code read_csv}, {@code read_parquet}, {@code
     * httpfs}, ...). Off by default: such models are rejected at build time and DuckDB runs with
     * {@code enable_external_access = false}.
     */
    public OtterTransformBuilder allowExternalAccess(boolean allow) {
        this.externalAccess = allow;
        return this;
    }

    /** The operator's name in the job graph (default {@code Otter models}). */
    public OtterTransformBuilder name(String name) {
        this.name = name;
        return this;
    }

    /**
     * Checks the settings, validates and describes every model.
     *
     * @throws OtterModelException when a model cannot run
     * @throws IllegalArgumentException when a setting is missing or wrong
     */
    public OtterTransform build() {
        sanityCheck();
        DuckDBSettings settings =
                new DuckDBSettings(
                        memoryLimit,
                        threads,
                        tempDirectory,
                        maxTempDirectorySize,
                        timeZone,
                        externalAccess);
        JsonLimits limits =
                new JsonLimits(maxJsonNestingDepth, maxJsonNumberLength, maxJsonStringLength);
        if (incomingSchema == null) {
            return buildSchemaFree(settings, limits);
        }
        List<ModelPlan> analyses = new ArrayList<>();
        try (OtterDatabase db = validationDatabase(incomingSchema, settings)) {
            ModelAnalyzer analyzer =
                    new ModelAnalyzer(db.connection(), externalAccess, batchByMessage);
            for (OtterModel model : models) {
                analyses.add(analyzer.analyze(model, outputSchemas.get(model.name())));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not validate the models in DuckDB: " + e.getMessage(), e);
        }
        return new OtterTransform(
                new TransformPlan(
                        incomingSchema,
                        analyses,
                        settings,
                        maxBatchSize,
                        maxBatchDelay.toMillis(),
                        maxBatchBytes,
                        maxMessageBytes,
                        limits,
                        microBatching),
                name);
    }

    /** Without an incoming schema: each model is checked as far as it can be without binding. */
    private OtterTransform buildSchemaFree(DuckDBSettings settings, JsonLimits limits) {
        try (OtterDatabase db = validationDatabase(SchemaFreeRunner.PLACEHOLDER_SCHEMA, settings)) {
            ModelAnalyzer analyzer =
                    new ModelAnalyzer(db.connection(), externalAccess, batchByMessage);
            for (OtterModel model : models) {
                analyzer.checkWithoutSchema(model);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not validate the models in DuckDB: " + e.getMessage(), e);
        }
        return new OtterTransform(
                TransformPlan.schemaFree(
                        models,
                        outputSchemas,
                        batchByMessage,
                        settings,
                        maxBatchSize,
                        maxBatchDelay.toMillis(),
                        maxBatchBytes,
                        maxMessageBytes,
                        limits,
                        microBatching),
                name);
    }

    /** The DuckDB the models are validated in, set up like the operator's. */
    private OtterDatabase validationDatabase(IncomingSchema schema, DuckDBSettings settings) {
        try {
            return OtterDatabase.open(schema, settings, null, true);
        } catch (SQLException e) {
            throw new IllegalArgumentException(
                    "DuckDB does not accept the incoming schema or the DuckDB settings"
                            + " (memory limit '"
                            + memoryLimit
                            + "', threads "
                            + threads
                            + ", time zone '"
                            + timeZone
                            + "'): "
                            + e.getMessage(),
                    e);
        }
    }

    private void sanityCheck() {
        if (models.isEmpty()) {
            throw new IllegalArgumentException(
                    "No models: add at least one with addModel(name, sql) or"
                            + " addModelsFromDirectory(path)");
        }
        Map<String, OtterModel> byName = new HashMap<>();
        for (OtterModel m : models) {
            OtterModel other = byName.put(m.name().toLowerCase(Locale.ROOT), m);
            if (other != null) {
                throw new OtterModelException(
                        m.name(),
                        OtterModelException.Problem.DUPLICATE_NAME,
                        "Two models are named '"
                                + m.name()
                                + "' (names ignore case): "
                                + other.describe()
                                + " and "
                                + m.describe(),
                        -1,
                        -1,
                        null,
                        null);
            }
        }
        for (String model : outputSchemas.keySet()) {
            boolean known = false;
            for (OtterModel m : models) {
                known |= m.name().equals(model);
            }
            if (!known) {
                throw new IllegalArgumentException(
                        "An output schema was declared for the model '"
                                + model
                                + "', which was not added");
            }
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException(
                    "maxBatchSize must be at least 1, got " + maxBatchSize);
        }
        if (maxBatchDelay == null || maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException(
                    "maxBatchDelay must be zero or positive, got " + maxBatchDelay);
        }
        if (maxBatchBytes < 1) {
            throw new IllegalArgumentException(
                    "maxBatchBytes must be positive, got " + maxBatchBytes);
        }
        if (maxMessageBytes < 0) {
            throw new IllegalArgumentException(
                    "maxMessageBytes must be zero (no limit) or positive, got " + maxMessageBytes);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("duckdbThreads must be at least 1, got " + threads);
        }
        if (memoryLimit == null || memoryLimit.trim().isEmpty()) {
            throw new IllegalArgumentException("duckdbMemoryLimit must be set, e.g. 256MB");
        }
        if (timeZone == null || timeZone.trim().isEmpty()) {
            throw new IllegalArgumentException("duckdbTimeZone must be set, e.g. UTC");
        }
        if (name == null || name.trim().isEmpty()) {
            throw new IllegalArgumentException("The operator name must not be empty");
        }
    }
}
