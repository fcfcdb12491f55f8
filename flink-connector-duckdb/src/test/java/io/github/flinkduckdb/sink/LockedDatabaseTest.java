package io.github.flinkduckdb.sink;

import io.github.flinkduckdb.testing.DatabaseLockHolder;
import io.github.flinkduckdb.testing.DuckDBTestDatabase;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A database file held read-write by another process: retried, then a clear error; never a drop.
 */
class LockedDatabaseTest {

    @TempDir Path dir;
    private Path file;
    private DuckDBTestDatabase db;

    @BeforeEach
    void createTable() {
        file = dir.resolve("busy.duckdb");
        db = DuckDBTestDatabase.at(file);
        db.execute("CREATE TABLE t (id BIGINT)");
    }

    @Test
    void directWriterNamesTheFileAndTheHolder() throws Exception {
        try (DatabaseLockHolder holder = DatabaseLockHolder.hold(file)) {
            assertThatThrownBy(
                            () ->
                                    SinkHarness.direct(
                                            DuckDBSink.forMaps(db.url(), "t")
                                                    .setMaxRetries(1)
                                                    .build()))
                    .isInstanceOf(DuckDBSinkException.class)
                    .hasMessageContaining("Cannot open DuckDB file " + file.toAbsolutePath())
                    .hasMessageContaining("another process holds it")
                    .hasMessageContaining("Could not set lock on file")
                    .hasMessageContaining("PID " + holder.pid());
        }
    }

    @Test
    void committerKeepsTheCommittableWhenTheLockOutlastsTheRetries() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink =
                DuckDBSink.forKeyedBatches(db.url(), "t")
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setMaxRetries(1)
                        .build();
        List<DuckDBCommittable> committables;
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(sink)) {
            h.write(Tuple2.of("b1", Collections.singletonList(Collections.singletonMap("id", 1L))));
            committables = h.checkpoint();
        }
        try (DatabaseLockHolder holder = DatabaseLockHolder.hold(file)) {
            DuckDBCommitter committer = SinkHarness.newCommitter(sink);
            SinkHarness.Request request = new SinkHarness.Request(committables.get(0));
            assertThatThrownBy(() -> committer.commit(Collections.singletonList(request)))
                    .isInstanceOf(DuckDBSinkException.class)
                    .hasMessageContaining("to table t in DuckDB file")
                    .hasMessageContaining("stay in Flink's checkpoint")
                    .hasMessageContaining("Could not set lock on file");
            assertThat(request.failed).as("never discarded").isNull();
            committer.close();
        }
        // The holder is gone: the same committable commits.
        DuckDBCommitter committer = SinkHarness.newCommitter(sink);
        committer.commit(Collections.singletonList(new SinkHarness.Request(committables.get(0))));
        committer.close();
        assertThat(db.count("SELECT count(*) FROM t")).isEqualTo(1);
    }

    @Test
    void committerReleasesTheFileBetweenCommitsWhenAsked() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> holding =
                DuckDBSink.forKeyedBatches(db.url(), "t")
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .build();
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> releasing =
                DuckDBSink.forKeyedBatches(db.url(), "t")
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setReleaseDatabaseBetweenCommits(true)
                        .build();
        List<DuckDBCommittable> committables = new ArrayList<>();
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(releasing)) {
            for (long id = 1; id <= 3; id++) {
                h.write(
                        Tuple2.of(
                                "b" + id,
                                Collections.singletonList(Collections.singletonMap("id", id))));
                committables.addAll(h.checkpoint());
            }
        }
        // By default the committer keeps the file: another process cannot open it.
        DuckDBCommitter holder = SinkHarness.newCommitter(holding);
        holder.commit(Collections.singletonList(new SinkHarness.Request(committables.get(0))));
        assertThatThrownBy(() -> DatabaseLockHolder.hold(file).close())
                .hasMessageContaining("Could not set lock on file");
        holder.close();

        DuckDBCommitter committer = SinkHarness.newCommitter(releasing);
        committer.commit(Collections.singletonList(new SinkHarness.Request(committables.get(1))));
        // Between commits another process opens the file (read-write, even) and leaves again.
        try (DatabaseLockHolder reader = DatabaseLockHolder.hold(file)) {
            assertThat(reader.pid()).isPositive();
        }
        committer.commit(Collections.singletonList(new SinkHarness.Request(committables.get(2))));
        committer.close();
        assertThat(db.strings("SELECT id FROM t ORDER BY id")).containsExactly("1", "2", "3");
    }

    @Test
    void committerWaitsOutAShortLock() throws Exception {
        DuckDBSink<Tuple2<String, List<Map<String, Object>>>> sink =
                DuckDBSink.forKeyedBatches(db.url(), "t")
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setMaxRetries(8)
                        .build();
        List<DuckDBCommittable> committables;
        try (SinkHarness<Tuple2<String, List<Map<String, Object>>>> h =
                SinkHarness.committerPath(sink)) {
            h.write(Tuple2.of("b1", Collections.singletonList(Collections.singletonMap("id", 1L))));
            committables = h.checkpoint();
        }
        DatabaseLockHolder holder = DatabaseLockHolder.hold(file);
        DuckDBCommitter committer = SinkHarness.newCommitter(sink);
        CompletableFuture<Void> commit =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                committer.commit(
                                        Collections.singletonList(
                                                new SinkHarness.Request(committables.get(0))));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        Thread.sleep(1_000); // the committer is now retrying against the lock
        assertThat(commit).isNotDone();
        holder.close();
        commit.get(60, TimeUnit.SECONDS);
        committer.close();
        assertThat(db.count("SELECT count(*) FROM t")).isEqualTo(1);
    }
}
