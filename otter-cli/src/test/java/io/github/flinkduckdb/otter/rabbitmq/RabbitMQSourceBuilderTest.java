package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.InstantiationUtil;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the builder accepts, and where the password travels: in the job, or only on the workers. */
class RabbitMQSourceBuilderTest {

    private static RabbitMQSourceBuilder<String> builder() {
        return RabbitMQSource.<String>builder()
                .setHost("127.0.0.1")
                .setUsername("otter")
                .setQueue("orders")
                .setDeserializer(new Bodies());
    }

    private static String serialized(Object o) throws Exception {
        return new String(InstantiationUtil.serializeObject(o), StandardCharsets.ISO_8859_1);
    }

    @Test
    void withPasswordEnvTheSerializedSourceCarriesNoPassword() throws Exception {
        RabbitMQSource<String> fromEnv = builder().setPasswordEnv("OTTER_TEST_SECRET").build();
        assertThat(serialized(fromEnv))
                .contains("OTTER_TEST_SECRET")
                .doesNotContain("n0t-in-the-job-graph");
        assertThat(
                        new RabbitMQConnectionConfig("h", 5672, "/", "u", null, "OTTER_TEST_SECRET")
                                .resolvePassword())
                .isEqualTo("n0t-in-the-job-graph");

        // An inline password is part of the job, as with any Flink RabbitMQ source; never printed.
        RabbitMQSource<String> inline = builder().setPassword("inline-s3cret").build();
        assertThat(serialized(inline)).contains("inline-s3cret");
        assertThat(inline.toString()).doesNotContain("inline-s3cret").contains("******");
    }

    @Test
    void aMissingVariableIsNamedWithoutAValue() {
        RabbitMQConnectionConfig c =
                new RabbitMQConnectionConfig(
                        "127.0.0.1", 5672, "/", "otter", null, "OTTER_TEST_NOT_SET_ANYWHERE");
        assertThatThrownBy(c::resolvePassword)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("environment variable OTTER_TEST_NOT_SET_ANYWHERE")
                .hasMessageContaining("otter@127.0.0.1:5672");
    }

    @Test
    void buildNamesTheMissingOrWrongSetting() {
        assertThatThrownBy(() -> builder().setQueue(null).setPassword("x").build())
                .hasMessageContaining("queue must be set");
        assertThatThrownBy(() -> builder().setDeserializer(null).setPassword("x").build())
                .hasMessageContaining("deserializer must be set");
        assertThatThrownBy(() -> builder().setPassword("x").setPrefetchCount(0).build())
                .hasMessageContaining("prefetch count must be 1..65535");
        assertThatThrownBy(() -> builder().build())
                .hasMessageContaining("either a RabbitMQ password or the environment variable");
        assertThatThrownBy(
                        () ->
                                builder()
                                        .setPassword("x")
                                        .setConnection(
                                                new RabbitMQConnectionConfig(
                                                        "h", 1, "/", "u", "p", null))
                                        .build())
                .hasMessageContaining("either with setConnection");
    }

    @Test
    void theIdIsTheMessageIdElseTheCorrelationId() {
        assertThat(
                        RabbitMQSourceReader.idOf(
                                new AMQP.BasicProperties.Builder()
                                        .messageId("m")
                                        .correlationId("c")
                                        .build()))
                .isEqualTo("m");
        assertThat(
                        RabbitMQSourceReader.idOf(
                                new AMQP.BasicProperties.Builder().correlationId("c").build()))
                .isEqualTo("c");
        assertThat(RabbitMQSourceReader.idOf(new AMQP.BasicProperties())).isNull();
    }

    /** The body as a string. */
    static final class Bodies implements RabbitMQDeserializer<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String deserialize(
                String queue, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }
}
