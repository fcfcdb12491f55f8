package io.github.flinkduckdb.otter.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** Copies of the orders example for tests, with their config rewritten as a test needs. */
public final class TestProjects {

    private TestProjects() {}

    /** The examples/otter-orders folder of this repository. */
    public static Path ordersExample() {
        String configured = System.getProperty("otter.examples");
        Path base =
                configured != null
                        ? Paths.get(configured)
                        : Paths.get("..", "examples").toAbsolutePath();
        return base.resolve("otter-orders").normalize();
    }

    /** A copy of the orders example in {@code dir}. */
    public static Path copyOrders(Path dir) throws IOException {
        Path source = ordersExample();
        Path target = dir.resolve("orders-project");
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path rel = source.relativize(p);
                if (rel.startsWith("output") || rel.startsWith(".otter")) {
                    continue;
                }
                Path t = target.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return target;
    }

    public static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
