package io.github.flinkduckdb.testing.brokers;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/**
 * The main class of the Qpid Broker-J JVM that {@link QpidBroker} starts: runs the broker from an
 * initial configuration file and exits when its standard input ends, which happens when the JVM
 * that started it exits, even by {@code SIGKILL}. Arguments: the initial configuration file.
 *
 * <p>Qpid is called by reflection: its jars are on this JVM's classpath only, never on the test
 * classpath that compiles this module.
 */
final class QpidMain {

    static final String READY = "qpid-broker: ready";

    private QpidMain() {}

    public static void main(String[] args) throws Exception {
        Path config = Paths.get(args[0]).toAbsolutePath();
        Class<?> type = Class.forName("org.apache.qpid.server.SystemLauncher");
        Object launcher = type.getConstructor().newInstance();
        Method shutdown = type.getMethod("shutdown");
        Map<String, Object> attributes = new HashMap<>();
        // The broker's own configuration (ports, users, virtual host node) as a JSON file in
        // QPID_WORK, created from the initial configuration on the first start.
        attributes.put("type", "JSON");
        attributes.put("initialConfigurationLocation", config.toUri().toString());
        attributes.put("startupLoggedToSystemOut", Boolean.TRUE);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        shutdown.invoke(launcher);
                                    } catch (ReflectiveOperationException e) {
                                        e.printStackTrace();
                                    }
                                },
                                "qpid-broker-shutdown"));
        type.getMethod("startup", Map.class).invoke(launcher, attributes);
        System.out.println(READY);
        System.out.flush();
        // The parent holds the other end of stdin: end of input means it is gone.
        while (System.in.read() != -1) {
            // nothing is sent
        }
        System.exit(0);
    }
}
