package io.github.flinkduckdb.testing.brokers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds the folder of jars a broker process runs from, copied there by the build. */
final class BrokerJars {

    private BrokerJars() {}

    /**
     * The folder named by system property {@code property} if it exists, else {@code relative}
     * under the working directory or its nearest parent that has it.
     *
     * @param build the Maven command that creates the folder, for the error message
     */
    static Path find(String property, String relative, String build) {
        String configured = System.getProperty(property);
        if (configured != null && Files.isDirectory(Paths.get(configured))) {
            return Paths.get(configured);
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve(relative);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "No jars in " + relative + ": build them (" + build + ") or set -D" + property);
    }
}
