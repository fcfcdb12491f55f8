package io.github.flinkduckdb.otter.runner;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code otter run} does about a failed job, decided per failure of the job's exception
 * history ({@link JobFailures}): Flink restarts the job after every failure (exponential delay, 0.5
 * s doubling to 30 s, without bound), and this budget ends the run when
 *
 * <ul>
 *   <li>a failure is {@link JobFailures.Kind#PERMANENT permanent} (bad SQL, a value the output's
 *       schema cannot hold): at once, with the cause;
 *   <li>more than {@code --max-restarts} failures of {@link JobFailures.Kind#OTHER another kind}
 *       happened.
 * </ul>
 *
 * An {@link JobFailures.Kind#OUTAGE output outage} (a folder that cannot be written, a full disk, a
 * DuckDB file held by another process) never ends the run: each retry finds the data where the
 * failed attempt left it (in the checkpoint), and {@code /readyz} says 503 with the reason until
 * the outputs caught up.
 */
final class RestartBudget {

    private static final Logger LOG = LoggerFactory.getLogger("otter");

    private final int maxRestarts;
    private final Set<String> seen = new HashSet<>();
    private int outages;
    private int others;

    /** {@code maxRestarts} negative for no bound. */
    RestartBudget(int maxRestarts) {
        this.maxRestarts = maxRestarts;
    }

    /**
     * Takes in the failures of an exception history; the reason to end the run, if there is one.
     */
    Optional<String> observe(JsonNode exceptions) {
        for (JobFailures.Failure f : JobFailures.parse(exceptions)) {
            if (!seen.add(f.timestamp() + "/" + f.exceptionName() + "/" + f.taskName())) {
                continue;
            }
            switch (f.kind()) {
                case PERMANENT:
                    return Optional.of("an error a retry cannot fix: " + f.reason());
                case OUTAGE:
                    outages++;
                    LOG.warn(
                            "Output unavailable (retry {}, the delay growing to 30 s; /readyz"
                                    + " answers 503 until it recovers): {}",
                            outages,
                            f.reason());
                    break;
                default:
                    others++;
                    if (maxRestarts >= 0 && others > maxRestarts) {
                        return Optional.of(
                                "gave up after "
                                        + others
                                        + " failures (--max-restarts "
                                        + maxRestarts
                                        + "); the last: "
                                        + f.reason());
                    }
                    LOG.warn(
                            "The job failed and restarts ({} of {}): {}",
                            others,
                            maxRestarts < 0 ? "no bound" : String.valueOf(maxRestarts),
                            f.reason());
            }
        }
        return Optional.empty();
    }

    /** Failures of the outage kind seen so far. */
    int outages() {
        return outages;
    }

    /** Failures of other kinds seen so far (those counted against {@code --max-restarts}). */
    int others() {
        return others;
    }
}
