package io.github.flinkduckdb.testing.brokers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Qpid JVM never outlives the JVM that started it, however that one ends. */
class QpidBrokerTest {

    @TempDir Path dir;

    @Test
    void closeStopsTheBroker() throws Exception {
        int port;
        try (QpidBroker broker = QpidBroker.start(dir)) {
            port = broker.port();
            assertThat(QpidBroker.accepts(port)).isTrue();
        }
        assertThat(QpidBroker.accepts(port)).isFalse();
    }

    @Test
    void theBrokerExitsWhenTheJvmThatStartedItIsKilled() throws Exception {
        Process parent =
                new ProcessBuilder(
                                Paths.get(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                "-Dqpid.lib=" + QpidBroker.lib().toAbsolutePath(),
                                StartsAndWaits.class.getName(),
                                dir.toString())
                        .redirectErrorStream(true)
                        .start();
        int port;
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("the parent's first line").startsWith("port ");
            port = Integer.parseInt(line.substring("port ".length()));
            assertThat(QpidBroker.accepts(port)).isTrue();

            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        String config = dir.resolve("initial-config.json").toString();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!brokerJvms(config).isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(brokerJvms(config)).as("broker JVMs left").isEmpty();
        assertThat(QpidBroker.accepts(port)).isFalse();
    }

    private static List<ProcessHandle> brokerJvms(String config) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(config)).orElse(false))
                .toList();
    }

    /** Starts a broker under the folder given, prints its port, waits to be killed. */
    static final class StartsAndWaits {
        public static void main(String[] args) throws Exception {
            QpidBroker broker = QpidBroker.start(Paths.get(args[0]));
            System.out.println("port " + broker.port());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
