package io.github.flinkduckdb.otter.project;

import io.github.flinkduckdb.otter.model.ModelDirectory;
import io.github.flinkduckdb.otter.model.OtterModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An Otter project folder, loaded and checked without connecting anywhere:
 *
 * <pre>
 * my-pipeline/
 *   config/sources.yml   where messages come from (rabbitmq | kafka | file)
 *   config/sinks.yml     where rows go (parquet, duckdb, or both)
 *   config/models.yml    flush thresholds per model, the incoming schema (optional file)
 *   models/*.sql         one SELECT over `incoming` per model; the file name is the model name
 *   fixtures/*.json      sample messages for `otter test`
 * </pre>
 *
 * Relative paths inside the configuration are resolved against the project folder.
 */
public final class OtterProject {

    public static final String SOURCES = "sources.yml";
    public static final String SINKS = "sinks.yml";
    public static final String MODELS = "models.yml";

    private final Path root;
    private final Path configDir;
    private final Path modelsDir;
    private final SourceConfig source;
    private final SinksConfig sinks;
    private final ModelsConfig modelsConfig;
    private final YamlNode modelsYaml;
    private final YamlNode sinksYaml;
    private final List<OtterModel> models;
    private final List<OtterModel> allModels;

    private OtterProject(
            Path root,
            Path configDir,
            Path modelsDir,
            SourceConfig source,
            SinksConfig sinks,
            ModelsConfig modelsConfig,
            YamlNode sinksYaml,
            YamlNode modelsYaml,
            List<OtterModel> models,
            List<OtterModel> allModels) {
        this.root = root;
        this.configDir = configDir;
        this.modelsDir = modelsDir;
        this.source = source;
        this.sinks = sinks;
        this.modelsConfig = modelsConfig;
        this.sinksYaml = sinksYaml;
        this.modelsYaml = modelsYaml;
        this.models = List.copyOf(models);
        this.allModels = List.copyOf(allModels);
    }

    /**
     * Loads a project.
     *
     * @param root the project folder
     * @param configDir the config folder, or null for {@code <root>/config}
     * @param modelsDir the models folder, or null for {@code <root>/models}
     * @param interpolator resolves {@code ${VAR}} references
     * @throws ConfigException naming file, key and line of the first problem
     */
    public static OtterProject load(
            Path root, Path configDir, Path modelsDir, Interpolator interpolator) {
        return load(root, configDir, modelsDir, interpolator, false);
    }

    /**
     * Loads a project; with {@code modelsOnly} only {@code config/models.yml} and the models are
     * read (for {@code otter test} and {@code otter models list}, which connect nowhere and need
     * neither the source's nor the sinks' settings and their variables); then {@link #source()} and
     * {@link #sinks()} are null.
     */
    public static OtterProject load(
            Path root,
            Path configDir,
            Path modelsDir,
            Interpolator interpolator,
            boolean modelsOnly) {
        Path r = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(r)) {
            throw new ConfigException(
                    r.toString(), null, -1, -1, "the project folder does not exist");
        }
        Path config = configDir == null ? r.resolve("config") : configDir.toAbsolutePath();
        Path modelsPath = modelsDir == null ? r.resolve("models") : modelsDir.toAbsolutePath();
        if (!Files.isDirectory(config)) {
            throw new ConfigException(
                    display(r, config),
                    null,
                    -1,
                    -1,
                    "the config folder does not exist (run `otter init` to create a project)");
        }
        ProjectConfigReader reader = new ProjectConfigReader(r);
        SourceConfig source = null;
        SinksConfig sinks = null;
        YamlNode sinksYaml = YamlNode.emptyMap(display(r, config.resolve(SINKS)), "");
        if (!modelsOnly) {
            YamlNode sourcesYaml =
                    YamlFiles.read(
                            config.resolve(SOURCES),
                            display(r, config.resolve(SOURCES)),
                            interpolator);
            sinksYaml =
                    YamlFiles.read(
                            config.resolve(SINKS), display(r, config.resolve(SINKS)), interpolator);
            source = reader.source(requireMap(sourcesYaml));
            sinks = reader.sinks(requireMap(sinksYaml));
        }
        Path modelsFile = config.resolve(MODELS);
        YamlNode modelsYaml =
                Files.exists(modelsFile)
                        ? YamlFiles.read(modelsFile, display(r, modelsFile), interpolator)
                        : YamlNode.emptyMap(display(r, modelsFile), "");
        ModelsConfig modelsConfig = reader.models(requireMap(modelsYaml));
        List<OtterModel> models;
        try {
            models = ModelDirectory.load(modelsPath);
        } catch (IOException e) {
            throw new ConfigException(display(r, modelsPath), null, -1, -1, e.getMessage(), e);
        }
        if (models.isEmpty()) {
            throw new ConfigException(
                    display(r, modelsPath),
                    null,
                    -1,
                    -1,
                    "no models: add a SELECT over `incoming` as models/<name>.sql");
        }
        return new OtterProject(
                r,
                config,
                modelsPath,
                source,
                sinks,
                modelsConfig,
                sinksYaml,
                modelsYaml,
                models,
                models);
    }

    private static YamlNode requireMap(YamlNode node) {
        if (!node.isMap()) {
            throw node.error("expected a map of keys to values at the top of the file");
        }
        return node;
    }

    /** {@code path} relative to the project when inside it, for messages. */
    public static String display(Path root, Path path) {
        Path p = path.toAbsolutePath().normalize();
        return p.startsWith(root) ? root.relativize(p).toString() : p.toString();
    }

    public Path root() {
        return root;
    }

    public Path configDir() {
        return configDir;
    }

    public Path modelsDir() {
        return modelsDir;
    }

    /** The project folder's name, used for default group ids and job names. */
    public String name() {
        Path n = root.getFileName();
        return n == null ? "otter" : n.toString();
    }

    public SourceConfig source() {
        return source;
    }

    public SinksConfig sinks() {
        return sinks;
    }

    public ModelsConfig modelsConfig() {
        return modelsConfig;
    }

    /** All models of the project, in file-name order. */
    public List<OtterModel> models() {
        return models;
    }

    /** Every model in the models folder, also when {@link #withModels} selected some. */
    public List<OtterModel> allModels() {
        return allModels;
    }

    /** The model whose name or file ({@code models/orders.sql}, {@code orders.sql}) matches. */
    public Optional<OtterModel> findModel(String nameOrFile) {
        String n = nameOrFile.trim();
        Path asPath = Path.of(n);
        String fileName = asPath.getFileName() == null ? n : asPath.getFileName().toString();
        String name = fileName.endsWith(".sql") ? fileName.substring(0, fileName.length() - 4) : n;
        return allModels.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The YAML of {@code config/sinks.yml}, for errors located at its keys. */
    public YamlNode sinksYaml() {
        return sinksYaml;
    }

    /** The YAML of {@code config/models.yml}, for errors located at its keys. */
    public YamlNode modelsYaml() {
        return modelsYaml;
    }

    /** A copy with only the given models (for {@code --model}). */
    public OtterProject withModels(List<OtterModel> only) {
        return new OtterProject(
                root,
                configDir,
                modelsDir,
                source,
                sinks,
                modelsConfig,
                sinksYaml,
                modelsYaml,
                only,
                allModels);
    }

    /** A copy reading from another source (tests, {@code dlq replay} checks). */
    public OtterProject withSource(SourceConfig other) {
        return new OtterProject(
                root,
                configDir,
                modelsDir,
                other,
                sinks,
                modelsConfig,
                sinksYaml,
                modelsYaml,
                models,
                allModels);
    }
}
