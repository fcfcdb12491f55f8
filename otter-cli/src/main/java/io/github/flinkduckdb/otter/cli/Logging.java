package io.github.flinkduckdb.otter.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.OutputStreamAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Logging of the {@code otter} command, to standard error: human-readable lines, or one JSON object
 * per line (Elastic Common Schema) with {@code --log-json}. {@code --log-level} sets the level of
 * otter's own messages (the progress line is INFO); Flink and the libraries log at WARN unless the
 * level is DEBUG or TRACE.
 */
final class Logging {

    private static final String[] OTTER_LOGGERS = {"otter", "io.github.flinkduckdb"};

    private static final String[] QUIET = {
        "org.apache.flink.runtime.security.token",
        "org.apache.flink.runtime.webmonitor.WebMonitorUtils",
        "org.apache.flink.runtime.metrics.groups",
        "org.apache.flink.metrics",
    };

    private Logging() {}

    static Level parseLevel(String text) {
        Level level = Level.toLevel(text.trim().toUpperCase(Locale.ROOT), null);
        if (level == null) {
            throw new IllegalArgumentException(
                    "unknown log level '" + text + "'; use TRACE, DEBUG, INFO, WARN or ERROR");
        }
        return level;
    }

    static void configure(PrintStream err, Level level, boolean json) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        Layout<? extends java.io.Serializable> layout =
                json
                        ? JsonTemplateLayout.newBuilder()
                                .setConfiguration(config)
                                .setEventTemplateUri("classpath:EcsLayout.json")
                                .build()
                        : PatternLayout.newBuilder()
                                .setConfiguration(config)
                                .setPattern("%d{HH:mm:ss} %-5level %c{1}: %msg%n%throwable")
                                .build();
        Appender appender =
                OutputStreamAppender.newBuilder()
                        .setName("otter-" + System.nanoTime())
                        .setTarget(err)
                        .setLayout(layout)
                        .setFollow(false)
                        .build();
        appender.start();
        config.addAppender(appender);
        LoggerConfig root = config.getRootLogger();
        for (String name : new ArrayList<>(root.getAppenders().keySet())) {
            root.removeAppender(name);
        }
        root.addAppender(appender, null, null);
        boolean verbose = level.isLessSpecificThan(Level.DEBUG);
        root.setLevel(verbose ? level : level.isMoreSpecificThan(Level.WARN) ? level : Level.WARN);
        List<String> names = List.of(OTTER_LOGGERS);
        for (String name : names) {
            LoggerConfig lc = config.getLoggers().get(name);
            if (lc == null) {
                lc = new LoggerConfig(name, level, true);
                config.addLogger(name, lc);
            }
            lc.setLevel(level);
        }
        if (!verbose) {
            // Start-up chatter of an embedded cluster that says nothing about the pipeline.
            for (String quiet : QUIET) {
                LoggerConfig lc = new LoggerConfig(quiet, Level.ERROR, true);
                config.addLogger(quiet, lc);
            }
        }
        ctx.updateLoggers();
    }
}
