package io.github.flinkduckdb.otter.runner;

import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;

import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the RabbitMQ password travels: in the job, or only in the TaskManagers' environment. */
class OtterRabbitMQSourceTest {

    private static RabbitMQSourceConfig config(String password, String passwordEnv) {
        return new RabbitMQSourceConfig(
                "127.0.0.1",
                5672,
                "/",
                "otter",
                password,
                passwordEnv,
                "orders",
                "orders.dlq",
                100,
                10,
                100,
                false,
                true);
    }

    private static String serialized(Object o) throws Exception {
        return new String(InstantiationUtil.serializeObject(o), StandardCharsets.ISO_8859_1);
    }

    @Test
    void withPasswordEnvTheSerializedSourceCarriesNoPassword() throws Exception {
        RabbitMQSourceConfig fromEnv = config(null, "OTTER_TEST_SECRET");
        assertThat(fromEnv.resolvePassword()).isEqualTo("n0t-in-the-job-graph");
        assertThat(serialized(new OtterRabbitMQSource(fromEnv)))
                .contains("OTTER_TEST_SECRET")
                .doesNotContain("n0t-in-the-job-graph");

        // An inline password is part of the job, as with any Flink RabbitMQ source.
        assertThat(serialized(new OtterRabbitMQSource(config("inline-s3cret", null))))
                .contains("inline-s3cret");
    }

    @Test
    void aMissingVariableIsNamedWithoutAValue() {
        assertThatThrownBy(() -> config(null, "OTTER_TEST_NOT_SET_ANYWHERE").resolvePassword())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("environment variable OTTER_TEST_NOT_SET_ANYWHERE")
                .hasMessageContaining("otter@127.0.0.1:5672");
    }
}
