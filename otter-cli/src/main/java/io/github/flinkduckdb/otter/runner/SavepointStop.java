package io.github.flinkduckdb.otter.runner;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.scheduler.stopwithsavepoint.StopWithSavepointStoppingException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@code otter run} stops its job: with a savepoint (recorded in the state folder as {@code
 * last-savepoint}, where the next run finds it), asking again while the job declines it (it
 * restarts after a failure, say), keeping a savepoint Flink took before the job failed while
 * stopping, and cancelling the job when no savepoint can be taken.
 */
final class SavepointStop {

    private static final Logger LOG = LoggerFactory.getLogger("otter");

    /**
     * How long a stop keeps asking for a savepoint that the job declines (while it restarts after a
     * failure, say) before it cancels the job.
     */
    private static final Duration RETRIES_FOR = Duration.ofSeconds(60);

    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final AtomicReference<String> savepoint = new AtomicReference<>();
    private final AtomicReference<String> cancelledBecause = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    /** Stops the job with a savepoint in {@code <stateDir>/savepoints}, else cancels it. */
    void stop(JobClient client, Path stateDir) {
        try {
            stopWithSavepoint(client, stateDir);
        } finally {
            finished.countDown();
        }
    }

    /** Waits until a stop has ended; false on timeout. */
    boolean await(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The savepoint the stop took, or null. */
    String savepoint() {
        return savepoint.get();
    }

    /** Why the stop cancelled the job instead of taking a savepoint, or null. */
    String cancelledBecause() {
        return cancelledBecause.get();
    }

    private void stopWithSavepoint(JobClient client, Path stateDir) {
        LOG.info("Stopping: taking a savepoint (Ctrl-C again to quit at once)");
        String dir = stateDir == null ? null : stateDir.resolve("savepoints").toUri().toString();
        long deadline = System.nanoTime() + RETRIES_FOR.toNanos();
        while (true) {
            try {
                String path =
                        client.stopWithSavepoint(false, dir, SavepointFormatType.CANONICAL)
                                .get(2, TimeUnit.MINUTES);
                recordSavepoint(path, stateDir);
                LOG.info("Stopped with savepoint {}; `otter run` resumes from it", path);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel(client, "interrupted");
                return;
            } catch (Exception e) {
                Optional<String> taken = savepointTakenBeforeFailure(e);
                if (taken.isPresent()) {
                    // Flink: "The savepoint is consistent, but might have uncommitted
                    // transactions": a run restored from it commits them.
                    try {
                        recordSavepoint(taken.get(), stateDir);
                    } catch (IOException io) {
                        LOG.warn("Could not record savepoint {}: {}", taken.get(), io.getMessage());
                    }
                    LOG.warn(
                            "Savepoint {} taken, but the job failed while stopping ({}); `otter"
                                    + " run` resumes from it and publishes what this stop could"
                                    + " not",
                            taken.get(),
                            OtterRun.rootMessage(e));
                    return;
                }
                // A savepoint is declined while the job restarts (a task not running yet) or
                // while a task fails: try again while the job is alive, then cancel it.
                Optional<JobStatus> status = status(client);
                boolean alive = status.isPresent() && !status.get().isGloballyTerminalState();
                if (!alive || e instanceof TimeoutException || System.nanoTime() > deadline) {
                    cancel(client, OtterRun.rootMessage(e));
                    return;
                }
                LOG.warn(
                        "No savepoint yet ({}; the job is {}); trying again",
                        OtterRun.rootMessage(e),
                        status.get());
                try {
                    Thread.sleep(RETRY_PAUSE.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    cancel(client, "interrupted");
                    return;
                }
            }
        }
    }

    private void recordSavepoint(String path, Path stateDir) throws IOException {
        savepoint.set(path);
        if (stateDir != null) {
            Files.createDirectories(stateDir);
            Files.write(
                    stateDir.resolve("last-savepoint"),
                    (path + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final Pattern SAVEPOINT_TAKEN =
            Pattern.compile("A savepoint has been created at: (.+?), but the corresponding job");

    /**
     * The savepoint of a stop that Flink took before the job failed while stopping (its {@code
     * StopWithSavepointStoppingException}, which may arrive through the REST client as text).
     */
    static Optional<String> savepointTakenBeforeFailure(Throwable failure) {
        return Causes.chain(failure)
                .map(SavepointStop::savepointTakenBy)
                .flatMap(Optional::stream)
                .findFirst();
    }

    /** The savepoint that {@code t} itself says was taken (not its causes). */
    private static Optional<String> savepointTakenBy(Throwable t) {
        if (t instanceof StopWithSavepointStoppingException) {
            return Optional.of(((StopWithSavepointStoppingException) t).getSavepointPath());
        }
        Matcher m = SAVEPOINT_TAKEN.matcher(String.valueOf(t.getMessage()));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<JobStatus> status(JobClient client) {
        try {
            return Optional.of(client.getJobStatus().get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private void cancel(JobClient client, String why) {
        cancelledBecause.set(why);
        LOG.warn(
                "No savepoint ({}); cancelling. The next run resumes from the newest retained"
                        + " checkpoint.",
                why);
        try {
            client.cancel().get(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception cancel) {
            LOG.warn("Cancelling failed: {}", OtterRun.rootMessage(cancel));
        }
    }
}
