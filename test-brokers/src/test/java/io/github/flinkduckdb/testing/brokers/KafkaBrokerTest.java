package io.github.flinkduckdb.testing.brokers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The broker starts from the Maven jars, listens on loopback and stops with close(). */
class KafkaBrokerTest {

    @TempDir Path dir;

    @Test
    void startsListensAndStops() throws Exception {
        String bootstrap;
        try (KafkaBroker broker = KafkaBroker.start(dir)) {
            bootstrap = broker.bootstrapServers();
            assertThat(bootstrap).startsWith("127.0.0.1:");
            String[] hostPort = bootstrap.split(":");
            try (Socket s = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
                assertThat(s.isConnected()).isTrue();
            }
        }
        String[] hostPort = bootstrap.split(":");
        assertThat(canConnect(hostPort[0], Integer.parseInt(hostPort[1]))).isFalse();
    }

    private static boolean canConnect(String host, int port) {
        try (Socket s = new Socket(host, port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
