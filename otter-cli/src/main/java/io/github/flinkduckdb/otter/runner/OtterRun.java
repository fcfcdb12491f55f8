package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.OtterTransform;
import io.github.flinkduckdb.otter.project.OtterProject;
import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code otter run}: builds the project's job, runs it on an embedded MiniCluster (or submits it to
 * a remote cluster), prints a progress line while it runs, serves {@code /readyz}, and on Ctrl-C
 * stops the job with a savepoint that the next {@code otter run} resumes from. A run that was
 * killed resumes from its newest retained checkpoint. Flink restarts a failed job without bound;
 * the run watches the failures ({@link RestartBudget}): an output outage is retried until it heals,
 * a permanent error ends the run at once, other failures count against {@code --max-restarts}.
 */
public final class OtterRun {

    private static final Logger LOG = LoggerFactory.getLogger("otter");

    /**
     * What a run did.
     *
     * @param finalState {@code FINISHED} (bounded input), {@code STOPPED} (with a savepoint) or
     *     {@code CANCELED} (a stop that could take no savepoint)
     * @param cancelledBecause why a stop cancelled the job, else null
     */
    public record Summary(
            String jobId,
            String finalState,
            Map<String, Long> counters,
            String resumedFrom,
            String savepoint,
            String cancelledBecause) {}

    private final OtterProject project;
    private final OtterTransform transform;
    private final RunOptions options;
    private final PrintStream out;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch submitted = new CountDownLatch(1);
    private final SavepointStop stopper = new SavepointStop();
    private final AtomicReference<String> gaveUp = new AtomicReference<>();
    private volatile JobClient jobClient;
    private volatile URI restAddress;
    private volatile int healthPort;

    public OtterRun(
            OtterProject project, OtterTransform transform, RunOptions options, PrintStream out) {
        this.project = project;
        this.transform = transform;
        this.options = options;
        this.out = out;
    }

    /** Runs until the input ends (bounded sources), the job fails, or Ctrl-C. */
    public Summary run() throws Exception {
        Path stateDir = options.stateDir();
        String restore = restorePoint(stateDir);
        Configuration jobConf =
                // Flink restarts without bound (none with --max-restarts 0: the first failure of
                // any kind ends the run); RestartBudget ends the run when it should.
                JobSetup.configuration(
                        options.checkpointInterval(),
                        stateDir,
                        restore,
                        options.maxRestarts() == 0 ? 0 : -1);
        MiniCluster mini = null;
        try {
            URI rest;
            if (options.embedded()) {
                mini = startMiniCluster(options.parallelism(), fullFailover(project));
                rest = mini.getRestAddress().get();
            } else {
                rest = URI.create("http://" + options.jobManager() + "/");
            }
            StreamExecutionEnvironment env = environment(rest, jobConf);
            env.setParallelism(options.parallelism());
            OtterPipeline.build(env, project, transform);
            LOG.info("{}", ProjectTransforms.describeIncoming(project, transform));
            if (restore != null) {
                LOG.info("Resuming from {}", restore);
            }
            JobClient client;
            try {
                client = env.executeAsync("otter: " + project.name());
            } catch (Exception e) {
                throw new JobFailedException("The job could not start: " + rootMessage(e), e);
            }
            String jobId = client.getJobID().toHexString();
            jobClient = client;
            restAddress = rest;
            LOG.info(
                    "Job {} submitted to {} ({}; {}; checkpoints every {})",
                    jobId,
                    options.embedded() ? "the embedded MiniCluster" : rest,
                    project.source().describe(),
                    describeSinks(),
                    io.github.flinkduckdb.otter.project.Durations.format(
                            options.checkpointInterval()));
            FlinkRest flinkRest = new FlinkRest(rest);
            HealthServer health = null;
            if (options.healthPort() != 0) {
                health =
                        new HealthServer(
                                options.healthPort() == RunOptions.ANY_PORT
                                        ? 0
                                        : options.healthPort(),
                                flinkRest,
                                jobId,
                                options.checkpointInterval());
                healthPort = health.port();
                LOG.info("Readiness on http://127.0.0.1:{}/readyz", health.port());
            }
            submitted.countDown();
            ScheduledExecutorService progress =
                    Executors.newSingleThreadScheduledExecutor(
                            r -> {
                                Thread t = new Thread(r, "otter-progress");
                                t.setDaemon(true);
                                return t;
                            });
            if (!options.progressInterval().isZero()) {
                long every = options.progressInterval().toMillis();
                progress.scheduleWithFixedDelay(
                        () -> printProgress(client, flinkRest, jobId),
                        every,
                        every,
                        TimeUnit.MILLISECONDS);
            }
            if (options.maxRestarts() != 0) {
                RestartBudget budget = new RestartBudget(options.maxRestarts());
                progress.scheduleWithFixedDelay(
                        () -> watchFailures(client, flinkRest, jobId, budget),
                        200,
                        500,
                        TimeUnit.MILLISECONDS);
            }
            installStopHandler(client, stateDir);
            String state;
            Map<String, Long> counters;
            try {
                JobExecutionResult result = client.getJobExecutionResult().get();
                counters = counters(result.getAllAccumulatorResults());
                if (stopRequested.get()) {
                    // The job ends before stopWithSavepoint() reports the savepoint's path.
                    stopper.await(Duration.ofMinutes(4));
                }
                state = stopper.savepoint() != null ? "STOPPED" : "FINISHED";
            } catch (Exception e) {
                if (gaveUp.get() != null) {
                    throw new JobFailedException("The job failed: " + gaveUp.get(), e);
                }
                if (stopRequested.get()) {
                    stopper.await(Duration.ofMinutes(4));
                    if (stopper.savepoint() == null && !cancelled(e)) {
                        // Failed while stopping, not cancelled by the stop: say why.
                        throw new JobFailedException(
                                "The job failed while stopping: " + rootMessage(e), e);
                    }
                    counters = Map.of();
                    state = stopper.savepoint() != null ? "STOPPED" : "CANCELED";
                } else {
                    throw new JobFailedException("The job failed: " + rootMessage(e), e);
                }
            } finally {
                progress.shutdownNow();
                if (health != null) {
                    health.close();
                }
            }
            return new Summary(
                    jobId,
                    state,
                    counters,
                    restore,
                    stopper.savepoint(),
                    "CANCELED".equals(state) ? stopper.cancelledBecause() : null);
        } finally {
            submitted.countDown();
            finished.countDown();
            if (mini != null) {
                mini.close();
            }
        }
    }

    /** Waits until the job is submitted (for tools and tests); false on timeout. */
    public boolean awaitSubmitted(Duration timeout) throws InterruptedException {
        return submitted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The running job's id, once submitted. */
    public String jobId() {
        return jobClient == null ? null : jobClient.getJobID().toHexString();
    }

    /** The REST address of the cluster the job runs on, once submitted. */
    public URI restAddress() {
        return restAddress;
    }

    /** The port of {@code /readyz}, once submitted with a health port. */
    public int healthPort() {
        return healthPort;
    }

    /** Stops the job as Ctrl-C does: with a savepoint, else by cancelling it. */
    public void requestStop() {
        if (jobClient != null && stopRequested.compareAndSet(false, true)) {
            stop(jobClient, options.stateDir());
        }
    }

    /** True when the job's result says it was cancelled (not failed). */
    static boolean cancelled(Throwable e) {
        return Causes.chain(e).anyMatch(t -> t instanceof JobCancellationException);
    }

    /** A job that ended with a failure; the message carries the root cause. */
    public static final class JobFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        JobFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private String describeSinks() {
        StringBuilder sb = new StringBuilder();
        project.sinks().parquetOutput().ifPresent(p -> sb.append("Parquet to ").append(p.path()));
        project.sinks()
                .duckdbOutput()
                .ifPresent(
                        d ->
                                sb.append(sb.length() > 0 ? " and " : "")
                                        .append("DuckDB ")
                                        .append(d.describe())
                                        .append(" (")
                                        .append(d.guarantee().text())
                                        .append(")"));
        return sb.toString();
    }

    private String restorePoint(Path stateDir) throws IOException {
        if (options.fromSavepoint() != null) {
            return options.fromSavepoint();
        }
        if (options.fresh()) {
            return null;
        }
        Optional<Path> latest = StateDirectory.latest(stateDir);
        return latest.map(p -> p.toUri().toString()).orElse(null);
    }

    private StreamExecutionEnvironment environment(URI rest, Configuration jobConf) {
        if (options.embedded()) {
            // The job's classes are on this JVM's class path, which the MiniCluster shares.
            return StreamExecutionEnvironment.createRemoteEnvironment(
                    rest.getHost(), rest.getPort(), jobConf);
        }
        Path jar = options.jobJar() != null ? options.jobJar() : JobJars.find();
        LOG.info("Shipping {} to the cluster", jar);
        return StreamExecutionEnvironment.createRemoteEnvironment(
                rest.getHost(), rest.getPort(), jobConf, jar.toString());
    }

    static MiniCluster startMiniCluster(int slots) throws Exception {
        return startMiniCluster(slots, false);
    }

    /**
     * RabbitMQ with correlation ids: de-duplication across the source's readers needs every reader
     * to restart from the checkpoint when one fails (the failover strategy is a cluster setting,
     * not a job setting; on a cluster set it in its configuration, see docs/otter-runner.md).
     */
    static boolean fullFailover(OtterProject project) {
        return project.source() instanceof RabbitMQSourceConfig
                && ((RabbitMQSourceConfig) project.source()).useCorrelationId();
    }

    static MiniCluster startMiniCluster(int slots, boolean fullFailover) throws Exception {
        Configuration conf = new Configuration();
        if (fullFailover) {
            conf.set(JobManagerOptions.EXECUTION_FAILOVER_STRATEGY, "full");
        }
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        // Accumulators (the progress line's and /readyz's message counts) travel with the
        // TaskManager's heartbeat: every 2 s instead of Flink's 10 s, in-process, costs nothing.
        conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(2));
        conf.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE,
                org.apache.flink.configuration.MemorySize.parse("64m"));
        MiniCluster mini =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        mini.start();
        return mini;
    }

    // ---------------------------------------------------------------- failures

    private void watchFailures(
            JobClient client, FlinkRest rest, String jobId, RestartBudget budget) {
        if (gaveUp.get() != null || stopRequested.get()) {
            return;
        }
        try {
            Optional<String> reason = budget.observe(rest.exceptions(jobId));
            if (reason.isPresent() && gaveUp.compareAndSet(null, reason.get())) {
                LOG.error("Ending the run: {}", reason.get());
                client.cancel().get(1, TimeUnit.MINUTES);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("No failure information", e);
        }
    }

    // ---------------------------------------------------------------- progress

    private void printProgress(JobClient client, FlinkRest rest, String jobId) {
        try {
            Map<String, Long> c = counters(client.getAccumulators().get(10, TimeUnit.SECONDS));
            String checkpoint = "none yet";
            try {
                JsonNode latest = rest.checkpoints(jobId).path("latest").path("completed");
                if (!latest.isMissingNode() && !latest.isNull()) {
                    long ago =
                            (System.currentTimeMillis()
                                            - latest.path("latest_ack_timestamp").asLong())
                                    / 1000;
                    checkpoint = "#" + latest.path("id").asLong() + " " + ago + "s ago";
                }
            } catch (IOException e) {
                checkpoint = "unknown";
            }
            LOG.info(progressLine(c, transform.modelNames(), checkpoint));
        } catch (Exception e) {
            LOG.debug("No progress information", e);
        }
    }

    /** {@code messages 120 | rows orders=100 purchases=250 | dlq 20 | checkpoint #4 2s ago}. */
    public static String progressLine(
            Map<String, Long> counters, Iterable<String> models, String checkpoint) {
        StringBuilder sb = new StringBuilder("progress: messages ");
        sb.append(counters.getOrDefault(OtterPipeline.MESSAGES_IN, 0L)).append(" | rows");
        for (String m : models) {
            sb.append(' ')
                    .append(m)
                    .append('=')
                    .append(counters.getOrDefault(OtterPipeline.rowsOut(m), 0L));
        }
        sb.append(" | dlq ").append(counters.getOrDefault(OtterPipeline.DEAD_LETTERS, 0L));
        sb.append(" | last checkpoint ").append(checkpoint);
        return sb.toString();
    }

    static Map<String, Long> counters(Map<String, Object> accumulators) {
        Map<String, Long> out = new LinkedHashMap<>();
        accumulators.forEach(
                (k, v) -> {
                    if (k.startsWith("otter.") && v instanceof Number) {
                        out.put(k, ((Number) v).longValue());
                    }
                });
        return out;
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Ctrl-C (SIGINT) and SIGTERM stop the job with a savepoint (recorded in the state folder,
     * where the next run finds it), or cancel it when no savepoint can be taken; a second Ctrl-C
     * exits at once. Signals are handled directly (not by a shutdown hook), so the cluster is still
     * alive while the savepoint is taken.
     */
    private void installStopHandler(JobClient client, Path stateDir) {
        Runnable onSignal =
                () -> {
                    if (!stopRequested.compareAndSet(false, true)) {
                        out.println("otter: stopping now");
                        Runtime.getRuntime().halt(130);
                    }
                    Thread t = new Thread(() -> stop(client, stateDir), "otter-stop");
                    t.setDaemon(true);
                    t.start();
                };
        for (String name : new String[] {"INT", "TERM"}) {
            if (!StopSignals.handle(name, onSignal, LOG)) {
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> {
                                            if (finished.getCount() > 0) {
                                                stopRequested.set(true);
                                                stop(client, stateDir);
                                            }
                                        },
                                        "otter-stop-hook"));
                return;
            }
        }
    }

    void stop(JobClient client, Path stateDir) {
        stopper.stop(client, stateDir);
    }

    /** The message of the deepest cause: what actually went wrong. */
    public static String rootMessage(Throwable e) {
        return Causes.chain(e)
                .map(Throwable::getMessage)
                .filter(m -> m != null && !m.isEmpty())
                .reduce((outer, inner) -> inner)
                .orElse(e.toString());
    }
}
