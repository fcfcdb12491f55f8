package io.github.flinkduckdb.testing.brokers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for test servers on the loopback address.
 *
 * <p>A port the kernel hands out for {@code new ServerSocket(0)} lies in its ephemeral range, the
 * same range it takes the local ports of outgoing connections from: between the test choosing the
 * port and a server process binding it (seconds when a JVM starts), any connection on the machine
 * may take it, and the server fails with "address already in use". The ports here lie below the
 * ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}), where only a server binding
 * that port explicitly can collide; each was free when handed out, and one JVM never hands out the
 * same port twice.
 */
public final class LocalPorts {

    private static final int LOWEST = 10000;
    private static final Path EPHEMERAL_RANGE = Paths.get("/proc/sys/net/ipv4/ip_local_port_range");
    private static final AtomicInteger NEXT = new AtomicInteger(-1);

    private LocalPorts() {}

    /** A port on 127.0.0.1 that no server listens on now, outside the ephemeral range. */
    public static int unused() {
        int high = ephemeralLow() - 1;
        int span = high - LOWEST + 1;
        if (span < 1000) {
            return anyUnused();
        }
        NEXT.compareAndSet(-1, ThreadLocalRandom.current().nextInt(span));
        for (int i = 0; i < span; i++) {
            int port = LOWEST + Math.floorMod(NEXT.getAndIncrement(), span);
            if (bindable(port)) {
                return port;
            }
        }
        return anyUnused();
    }

    private static int ephemeralLow() {
        try {
            String range = new String(Files.readAllBytes(EPHEMERAL_RANGE), StandardCharsets.UTF_8);
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768; // Linux's default; other systems start theirs higher
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int anyUnused() {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
