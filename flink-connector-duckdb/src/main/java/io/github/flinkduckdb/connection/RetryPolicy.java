package io.github.flinkduckdb.connection;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.time.Duration;

/**
 * The one retry loop for DuckDB calls: retries an action on {@link DuckDBErrorKind#TRANSIENT
 * transient} DuckDB errors (as {@link DuckDBErrorClassifier} classifies them) with exponential
 * backoff, and throws every other error at once, unchanged. Used for opening, flushing and
 * committing in the sink, for table creation, for scans and for lookups. {@link #withMaxRetries} is
 * the policy they all use: 200 ms doubling up to 10 s between attempts.
 */
@Internal
public final class RetryPolicy implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    /** Work that may throw; the retry loop decides whether to run it again. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws Exception;
    }

    private final int maxRetries;
    private final long initialBackoffMillis;
    private final long maxBackoffMillis;

    public RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        this.maxRetries = maxRetries;
        this.initialBackoffMillis = initialBackoff.toMillis();
        this.maxBackoffMillis = maxBackoff.toMillis();
    }

    /** Up to {@code maxRetries} retries, 200 ms after the first failure, doubling up to 10 s. */
    public static RetryPolicy withMaxRetries(int maxRetries) {
        return new RetryPolicy(maxRetries, Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    public int maxRetries() {
        return maxRetries;
    }

    /**
     * Runs {@code action}, retrying retriable failures up to {@link #maxRetries()} times.
     *
     * @param what a description for the log, e.g. "commit to DuckDB file /data/db.duckdb"
     */
    public <T> T run(String what, Action<T> action) throws Exception {
        long backoff = initialBackoffMillis;
        for (int attempt = 0; ; attempt++) {
            try {
                return action.run();
            } catch (Exception e) {
                if (attempt >= maxRetries || !DuckDBErrorClassifier.isRetriable(e)) {
                    throw e;
                }
                LOG.warn(
                        "{} failed (attempt {} of {}), retrying in {} ms: {}",
                        what,
                        attempt + 1,
                        maxRetries + 1,
                        backoff,
                        e.getMessage());
                Thread.sleep(backoff);
                backoff = Math.min(maxBackoffMillis, backoff * 2);
            }
        }
    }
}
