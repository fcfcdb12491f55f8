package io.github.flinkduckdb.benchmarks;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A recording of a busy thread is summarized under the thread's kind, with its own method. */
class ProfilesTest {

    private static volatile double sink;

    @Test
    void aBusyThreadIsSummarizedUnderItsKindWithItsMethod(@TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("busy.jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            Thread busy = new Thread(ProfilesTest::spin, "Sink: DuckDB (1/2)#0");
            busy.start();
            busy.join();
            recording.stop();
            recording.dump(jfr);
        }
        String summary = Profiles.summarize("busy", jfr);
        assertThat(summary).contains("#### busy (");
        String row =
                summary.lines()
                        .filter(l -> l.startsWith("| Sink: DuckDB |"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(summary));
        assertThat(row).contains("ProfilesTest.spin");
    }

    private static void spin() {
        long end = System.nanoTime() + 1_500_000_000L;
        double x = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x += Math.sqrt(i + x % 7);
            }
        }
        sink = x;
    }
}
