package io.github.flinkduckdb.otter.project;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Durations as the config and the command line take them. */
class DurationsTest {

    @Test
    void acceptsEveryFormTheConfigAccepted() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("250")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("7millis")).isEqualTo(Duration.ofMillis(7));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse(" 10 s ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("1sec")).isEqualTo(Duration.ofSeconds(1));
        assertThat(Durations.parse("3secs")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Durations.parse("2seconds")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("5min")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("4minutes")).isEqualTo(Duration.ofMinutes(4));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("2hours")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("pt1m30s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void acceptsFlinksOtherForms() {
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("3 minutes")).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void rejectsOverflowNamingTheValue() {
        assertThatThrownBy(() -> Durations.parse("9999999999999999h"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the duration \"9999999999999999h\" is too large (at most 292 million"
                                + " years)");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999s"))
                .hasMessageStartingWith("the duration \"99999999999999999999s\" is too large");
        // Fits a Duration, not a long of milliseconds.
        assertThatThrownBy(() -> Durations.parse("9223372036854775807s"))
                .hasMessageStartingWith("the duration \"9223372036854775807s\" is too large");
    }

    @Test
    void rejectsWhatIsNotADuration() {
        assertThatThrownBy(() -> Durations.parse("soon"))
                .hasMessage("expected a duration such as 500ms, 10s, 5m or PT10S, got \"soon\"");
        assertThatThrownBy(() -> Durations.parse("10 parsecs"))
                .hasMessageStartingWith("expected a duration");
        assertThatThrownBy(() -> Durations.parse("-5s"))
                .hasMessageStartingWith("expected a duration");
        assertThatThrownBy(() -> Durations.parse("PTxS"))
                .hasMessageStartingWith("expected a duration");
    }
}
