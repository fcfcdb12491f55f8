package io.github.flinkduckdb.otter.runner;

import org.slf4j.Logger;

import java.lang.reflect.Proxy;

/** The operating-system signals that stop {@code otter run} (Ctrl-C, SIGTERM). */
final class StopSignals {

    private StopSignals() {}

    /**
     * Installs {@code action} as the handler of signal {@code name} ({@code INT}, {@code TERM})
     * through {@code sun.misc.Signal} by reflection (not public API); false where that is not
     * possible. A signal the process started with ignored stays ignored: {@code log} says so.
     */
    static boolean handle(String name, Runnable action, Logger log) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler =
                    Proxy.newProxyInstance(
                            StopSignals.class.getClassLoader(),
                            new Class<?>[] {handlerClass},
                            (proxy, method, args) -> {
                                if (method.getName().equals("handle")) {
                                    action.run();
                                }
                                return null;
                            });
            Object previous =
                    signalClass
                            .getMethod("handle", signalClass, handlerClass)
                            .invoke(null, signal, handler);
            if (previous != null && previous.equals(handlerClass.getField("SIG_IGN").get(null))) {
                // The process started with the signal ignored (a shell runs `cmd &` so, without
                // job control): the JVM keeps it ignored and our handler never runs.
                log.warn(
                        "SIG{} is ignored in this process (started in the background by a shell?):"
                                + " it cannot stop the run; send {} (kill {}) instead",
                        name,
                        name.equals("INT") ? "SIGTERM" : "SIGINT",
                        ProcessHandle.current().pid());
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
