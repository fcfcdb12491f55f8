package io.github.flinkduckdb.sink;

import org.apache.flink.connector.base.DeliveryGuarantee;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code build()} names the setting that is missing or wrong. */
class DuckDBSinkBuilderTest {

    private static final String URL = "jdbc:duckdb:/tmp/x.duckdb";

    @Test
    void requiresUrl() {
        assertThatThrownBy(() -> DuckDBSink.forMaps(null, "t").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("setUrl(...) is required");
    }

    @Test
    void rejectsUrlsThatAreNotDuckDB() {
        assertThatThrownBy(() -> DuckDBSink.forMaps("jdbc:postgresql://db/x", "t").build())
                .hasMessageStartingWith(
                        "setUrl(...): The DuckDB URL must start with 'jdbc:duckdb:'");
    }

    @Test
    void requiresTableName() {
        assertThatThrownBy(() -> DuckDBSink.forMaps(URL, " ").build())
                .hasMessage("setTableName(...) is required");
        assertThatThrownBy(() -> DuckDBSink.forMaps(URL, "a.b.c.d").build())
                .hasMessageStartingWith("setTableName(...): Invalid table name 'a.b.c.d'");
    }

    @Test
    void requiresAConverter() {
        assertThatThrownBy(() -> DuckDBSink.<String>builder().setUrl(URL).setTableName("t").build())
                .hasMessageStartingWith("setRowWriter(...) is required");
    }

    @Test
    void rejectsNonPositiveBufferAndNegativeIntervalAndRetries() {
        assertThatThrownBy(() -> DuckDBSink.forMaps(URL, "t").setMaxBufferedRows(0).build())
                .hasMessage("setMaxBufferedRows(...) must be > 0, got 0");
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forMaps(URL, "t")
                                        .setFlushInterval(Duration.ofSeconds(-1))
                                        .build())
                .hasMessageStartingWith("setFlushInterval(...) must be >= 0");
        assertThatThrownBy(() -> DuckDBSink.forMaps(URL, "t").setMaxRetries(-1).build())
                .hasMessage("setMaxRetries(...) must be >= 0, got -1");
    }

    @Test
    void rejectsExactlyOnceWithDirectWritesOrAnInMemoryDatabase() {
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forMaps(URL, "t")
                                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                        .setWriteMode(WriteMode.DIRECT)
                                        .build())
                .hasMessageStartingWith("setWriteMode(DIRECT) cannot give EXACTLY_ONCE");
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forMaps("jdbc:duckdb:", "t")
                                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                        .build())
                .hasMessageContaining("needs a database that outlives the job");
    }

    @Test
    void rejectsATokenForALocalFile() {
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forMaps(URL, "t")
                                        .setMotherDuckToken("secret-token-123")
                                        .build())
                .hasMessageContaining("is not a MotherDuck URL")
                .hasMessageNotContaining("secret-token-123");
    }

    @Test
    void rejectsBlankCreateStatement() {
        assertThatThrownBy(() -> DuckDBSink.forMaps(URL, "t").setCreateTableSql("  ").build())
                .hasMessageStartingWith("setCreateTableSql(...) must not be blank");
    }

    @Test
    void defaultsAreAtLeastOnceWithAutoWriteMode() {
        DuckDBSink<Map<String, Object>> sink = DuckDBSink.forMaps(URL, "t").build();
        assertThat(sink.getConfig().deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(sink.getConfig().writeMode()).isEqualTo(WriteMode.AUTO);
        assertThat(sink.getConfig().batchDeduplication()).isFalse();
    }

    @Test
    void autoWriteModeUsesTheCommitterWhenWritersMaySitInSeveralProcesses() {
        DuckDBSink<Map<String, Object>> sink = DuckDBSink.forMaps(URL, "t").build();
        assertThat(sink.resolveMode("local", 4)).isEqualTo(WriteMode.DIRECT);
        assertThat(sink.resolveMode("minicluster", 4)).isEqualTo(WriteMode.DIRECT);
        assertThat(sink.resolveMode("remote", 1)).isEqualTo(WriteMode.DIRECT);
        assertThat(sink.resolveMode("remote", 4)).isEqualTo(WriteMode.COMMITTER);
        assertThat(sink.resolveMode("embedded", 2)).isEqualTo(WriteMode.COMMITTER);
        DuckDBSink<Map<String, Object>> md = DuckDBSink.forMaps("jdbc:duckdb:md:shop", "t").build();
        assertThat(md.resolveMode("remote", 4)).isEqualTo(WriteMode.DIRECT);
        DuckDBSink<Map<String, Object>> eo =
                DuckDBSink.forMaps(URL, "t")
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .build();
        assertThat(eo.resolveMode("local", 1)).isEqualTo(WriteMode.COMMITTER);
    }

    @Test
    void releasingTheDatabaseWritesThroughTheCommitter() {
        DuckDBSink<Map<String, Object>> sink =
                DuckDBSink.forMaps(URL, "t").setReleaseDatabaseBetweenCommits(true).build();
        assertThat(sink.resolveMode("local", 1)).isEqualTo(WriteMode.COMMITTER);
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forMaps(URL, "t")
                                        .setReleaseDatabaseBetweenCommits(true)
                                        .setWriteMode(WriteMode.DIRECT)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setReleaseDatabaseBetweenCommits(true)")
                .hasMessageContaining("setWriteMode(DIRECT)");
        assertThatThrownBy(
                        () ->
                                DuckDBSink.forMaps("jdbc:duckdb:", "t")
                                        .setReleaseDatabaseBetweenCommits(true)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in-memory");
    }

    @Test
    void knowsWhenCommittablesWouldMeetTheJobManagersMemoryStorage() {
        org.apache.flink.configuration.Configuration conf =
                new org.apache.flink.configuration.Configuration();
        assertThat(DuckDBSink.checkpointsInJobManagerMemory(conf)).isTrue();
        conf.set(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINT_STORAGE,
                "jobmanager");
        assertThat(DuckDBSink.checkpointsInJobManagerMemory(conf)).isTrue();
        conf.set(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                "file:///tmp/checkpoints");
        assertThat(DuckDBSink.checkpointsInJobManagerMemory(conf)).isFalse();
        org.apache.flink.configuration.Configuration fs =
                new org.apache.flink.configuration.Configuration();
        fs.set(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINT_STORAGE,
                "filesystem");
        assertThat(DuckDBSink.checkpointsInJobManagerMemory(fs)).isFalse();
    }
}
