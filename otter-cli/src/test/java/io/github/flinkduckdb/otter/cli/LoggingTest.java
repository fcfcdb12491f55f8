package io.github.flinkduckdb.otter.cli;

import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --log-level}: otter's own messages at the level; Flink's at WARN unless DEBUG/TRACE. */
class LoggingTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Logging.configure(System.err, Level.INFO, false);
    }

    private String logEveryLevel(Level level) {
        Logging.configure(new PrintStream(err, true, StandardCharsets.UTF_8), level, false);
        org.slf4j.Logger otter = LoggerFactory.getLogger("otter");
        org.slf4j.Logger flink = LoggerFactory.getLogger("org.apache.flink.runtime.Something");
        otter.debug("otter-debug");
        otter.info("otter-info");
        otter.warn("otter-warn");
        flink.debug("flink-debug");
        flink.info("flink-info");
        flink.warn("flink-warn");
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void infoShowsOttersInfoAndOnlyFlinksWarnings() {
        assertThat(logEveryLevel(Level.INFO))
                .contains("INFO  otter: otter-info", "WARN  otter: otter-warn", "flink-warn")
                .doesNotContain("otter-debug", "flink-debug", "flink-info");
    }

    @Test
    void debugShowsEverythingAtDebug() {
        assertThat(logEveryLevel(Level.DEBUG))
                .contains("DEBUG otter: otter-debug", "otter-info", "flink-debug", "flink-info");
    }

    @Test
    void warnHidesInfo() {
        assertThat(logEveryLevel(Level.WARN))
                .contains("otter-warn", "flink-warn")
                .doesNotContain("otter-info", "flink-info", "otter-debug");
    }

    @Test
    void anUnknownLevelIsRefusedWithTheChoices() {
        assertThat(Logging.parseLevel(" debug ")).isEqualTo(Level.DEBUG);
        assertThatThrownBy(() -> Logging.parseLevel("LOUD"))
                .hasMessage("unknown log level 'LOUD'; use TRACE, DEBUG, INFO, WARN or ERROR");
    }
}
