package io.github.flinkduckdb.otter.runner;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the jar to ship to a remote cluster: {@code --job-jar}, else {@code $OTTER_JOB_JAR}, else
 * {@code otter-cli-<version>-job.jar} next to the jar this code runs from (the distribution puts
 * both in {@code lib/}), else that jar itself.
 */
final class JobJars {

    private JobJars() {}

    static Path find() {
        String env = System.getenv("OTTER_JOB_JAR");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        Path self;
        try {
            self =
                    Path.of(
                            JobJars.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException(
                    "Cannot tell which jar to ship to the cluster: pass --job-jar", e);
        }
        if (!Files.isRegularFile(self)) {
            throw new IllegalStateException(
                    "otter runs from classes in "
                            + self
                            + ", not from a jar: pass --job-jar target/otter-cli-<version>-job.jar"
                            + " (mvn -pl otter-cli package builds it) to submit to a cluster");
        }
        String name = self.getFileName().toString();
        if (name.endsWith("-all.jar")) {
            Path job = self.resolveSibling(name.replace("-all.jar", "-job.jar"));
            if (Files.isRegularFile(job)) {
                return job;
            }
        }
        return self;
    }
}
