package io.github.flinkduckdb.otter.cli;

import io.github.flinkduckdb.otter.project.Interpolator;
import io.github.flinkduckdb.otter.project.OtterProject;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --config} and {@code --models}, shared by the commands that read a project. */
final class ProjectOptions {

    @Option(
            names = "--config",
            paramLabel = "DIR",
            description = "The config folder (default: <project>/config).")
    Path config;

    @Option(
            names = "--models",
            paramLabel = "DIR",
            description = "The models folder (default: <project>/models).")
    Path models;

    OtterProject load(OtterCli root, boolean modelsOnly) {
        return OtterProject.load(
                root.project, config, models, Interpolator.withOverrides(root.vars), modelsOnly);
    }
}
