package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.model.OtterModel;
import io.github.flinkduckdb.otter.project.OtterProject;

import java.util.ArrayList;
import java.util.List;

/** {@code --model m.sql}: keeps only the named models of a project. */
public final class ModelSelection {

    private ModelSelection() {}

    /**
     * @throws UnknownModelException when a name matches no model
     */
    public static OtterProject select(OtterProject project, List<String> names) {
        if (names == null || names.isEmpty()) {
            return project;
        }
        List<OtterModel> chosen = new ArrayList<>();
        for (String n : names) {
            OtterModel m =
                    project.findModel(n)
                            .orElseThrow(
                                    () ->
                                            new UnknownModelException(
                                                    "unknown model '"
                                                            + n
                                                            + "': the models in "
                                                            + OtterProject.display(
                                                                    project.root(),
                                                                    project.modelsDir())
                                                            + " are "
                                                            + String.join(
                                                                    ", ",
                                                                    project.models().stream()
                                                                            .map(OtterModel::name)
                                                                            .toList())));
            if (!chosen.contains(m)) {
                chosen.add(m);
            }
        }
        return project.withModels(chosen);
    }

    /** A {@code --model} that names no model of the project. */
    public static final class UnknownModelException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnknownModelException(String message) {
            super(message);
        }
    }
}
