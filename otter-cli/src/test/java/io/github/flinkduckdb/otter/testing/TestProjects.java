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

    /**
     * A copy of the orders example in {@code dir} that reads RabbitMQ queue {@code queue} with
     * correlation ids (exactly-once), dead-letters to queue {@code dlq}, has the failing shipping
     * model ({@link OrderMessages#SHIPPING_FAILING}) and publishes Parquet at every checkpoint.
     */
    public static Path rabbitMQOrders(Path dir, String queue, String dlq, int prefetch)
            throws Exception {
        Path project = rabbitMQOrders(dir, queue, dlq, prefetch, 50, 0);
        write(project.resolve("models/shipping.sql"), OrderMessages.SHIPPING_FAILING);
        return project;
    }

    /**
     * The orders project reading {@code queue} of the test broker with correlation ids, dead
     * letters to {@code dlq} (or the default {@code <queue>.dlq} when null), and Parquet files due
     * every {@code maxAgeSeconds} (0: every checkpoint, so rows are visible while the job runs;
     * 300: Otter's default, no file due while a test runs).
     */
    public static Path rabbitMQOrders(
            Path dir, String queue, String dlq, int prefetch, int batchSize, int maxAgeSeconds)
            throws Exception {
        Path project = copyOrders(dir);
        write(
                project.resolve("config/sources.yml"),
                "source:\n"
                        + "  type: rabbitmq\n"
                        + Rabbit.sourceYaml()
                        // Read where connections open: the job carries no password.
                        + "  password_env: OTTER_TEST_RABBITMQ_PASSWORD\n"
                        + "  queue: "
                        + queue
                        + "\n"
                        + (dlq == null ? "" : "  dlq: " + dlq + "\n")
                        + "  prefetch: "
                        + prefetch
                        + "\n"
                        + "  batch_size: "
                        + batchSize
                        + "\n"
                        + "  batch_timeout_ms: 50\n"
                        + "  correlation_id: true\n");
        Path models = project.resolve("config/models.yml");
        write(
                models,
                Files.readString(models)
                        .replaceAll("max_age_seconds: \\d+", "max_age_seconds: " + maxAgeSeconds));
        return project;
    }

    public static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
