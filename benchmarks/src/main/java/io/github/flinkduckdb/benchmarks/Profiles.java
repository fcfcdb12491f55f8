package io.github.flinkduckdb.benchmarks;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a case's CPU time goes, from a Java Flight Recording of its run ({@code --profile}): the
 * share of execution samples per thread (threads of the same kind together, e.g. every {@code Sink:
 * ...} subtask), and for the busiest threads the methods that were on top of the stack and the
 * project's own methods on the stack. Samples of native code (DuckDB's C++ inside a JNI call) count
 * for the Java frame that called it.
 */
final class Profiles {

    private static final int THREADS = 5;
    private static final int METHODS = 5;

    /** JFR's {@code profile} settings sample Java code every 10 ms, native code every 20 ms. */
    private static final int JAVA_PERIOD_MS = 10;

    private static final int NATIVE_PERIOD_MS = 20;

    private Profiles() {}

    /** A markdown summary of the recording at {@code jfr} for the case {@code name}. */
    static String summarize(String name, Path jfr) throws IOException {
        Map<String, Integer> perThread = new HashMap<>();
        Map<String, Map<String, Integer>> topFrames = new HashMap<>();
        Map<String, Map<String, Integer>> ownFrames = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            String top = method(frames.get(0));
            int weight;
            if (type.equals("jdk.ExecutionSample")) {
                weight = NATIVE_PERIOD_MS / JAVA_PERIOD_MS;
            } else if (type.equals("jdk.NativeMethodSample") && top.startsWith("org.duckdb.")) {
                // A thread in DuckDB's C++ (a JNI call) works; other threads in native code
                // mostly wait (sockets, epoll, accept) and are left out.
                weight = 1;
            } else {
                continue;
            }
            String thread = threadKind(e.getThread("sampledThread"));
            total += weight;
            perThread.merge(thread, weight, Integer::sum);
            topFrames
                    .computeIfAbsent(thread, k -> new HashMap<>())
                    .merge(top, weight, Integer::sum);
            for (RecordedFrame f : frames) {
                String m = method(f);
                if (m.startsWith("io.github.flinkduckdb.")) {
                    ownFrames
                            .computeIfAbsent(thread, k -> new HashMap<>())
                            .merge(
                                    m.substring("io.github.flinkduckdb.".length()),
                                    weight,
                                    Integer::sum);
                    break;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%n#### %s (%,d samples, native ones counted twice)%n",
                        name,
                        total));
        if (total == 0) {
            return sb.append("No samples.\n").toString();
        }
        sb.append("| thread | share | on top of the stack | innermost own method |\n");
        sb.append("|---|---:|---|---|\n");
        for (Map.Entry<String, Integer> t : sorted(perThread, THREADS).entrySet()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.0f%% | %s | %s |%n",
                            t.getKey(),
                            100.0 * t.getValue() / total,
                            shares(topFrames.get(t.getKey()), t.getValue()),
                            shares(ownFrames.getOrDefault(t.getKey(), Map.of()), t.getValue())));
        }
        return sb.toString();
    }

    private static String shares(Map<String, Integer> counts, int of) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : sorted(counts, METHODS).entrySet()) {
            parts.add(
                    String.format(
                            Locale.ROOT,
                            "%s %.0f%%",
                            shorten(e.getKey()),
                            100.0 * e.getValue() / of));
        }
        return parts.isEmpty() ? "-" : String.join("; ", parts);
    }

    private static Map<String, Integer> sorted(Map<String, Integer> counts, int limit) {
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * {@code org.duckdb.DuckDBNative.duckdb_jdbc_appender_flush} to {@code
     * DuckDBNative.duckdb_jdbc_appender_flush}.
     */
    private static String shorten(String method) {
        int paren = method.indexOf('(');
        String m = paren < 0 ? method : method.substring(0, paren);
        int dot = m.lastIndexOf('.');
        int classDot = dot < 0 ? -1 : m.lastIndexOf('.', dot - 1);
        return classDot < 0 ? m : m.substring(classDot + 1);
    }

    private static String method(RecordedFrame f) {
        if (f.getMethod() == null) {
            return "?";
        }
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** The thread's name without subtask numbers, attempt and hash suffixes. */
    static String threadKind(RecordedThread thread) {
        if (thread == null) {
            return "?";
        }
        String n = thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
        if (n == null) {
            return "?";
        }
        n = n.replaceAll("\\s*\\(\\d+/\\d+\\)(#\\d+)?", "");
        n = n.replaceAll("[-#]\\d+$", "");
        n = n.replaceAll("\\d+$", "");
        if (n.length() > 60) {
            n = n.substring(0, 57) + "...";
        }
        return n.replace("|", "/");
    }
}
