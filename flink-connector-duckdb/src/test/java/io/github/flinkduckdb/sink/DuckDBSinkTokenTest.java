package io.github.flinkduckdb.sink;

import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The MotherDuck token given to the sink's builder reaches the driver and nothing else: not the
 * sink's toString, not the serialized job graph, not the message of a failed connection. (The
 * connection options themselves: {@code MotherDuckOptionsTest}.)
 */
class DuckDBSinkTokenTest {

    private static final String TOKEN = "md-token-7fQ2x9SECRETvalue01";

    @Test
    void keepsTheTokenOutOfTheSerializedSinkAndItsToString() throws Exception {
        DuckDBSink<Map<String, Object>> sink =
                DuckDBSink.forMaps("jdbc:duckdb:md:shop", "orders")
                        .setMotherDuckToken(TOKEN)
                        .build();
        assertThat(sink.toString()).doesNotContain(TOKEN);
        byte[] bytes = InstantiationUtil.serializeObject(sink);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain(TOKEN);
        assertThat(new String(bytes, StandardCharsets.UTF_16BE)).doesNotContain(TOKEN);
        DuckDBSink<?> restored =
                InstantiationUtil.deserializeObject(bytes, getClass().getClassLoader());
        assertThat(restored.getConfig().connection().token())
                .hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo(TOKEN));
    }

    @Test
    void aFailedConnectionDoesNotPrintTheToken() {
        // No network here: DuckDB cannot download the MotherDuck extension and says so.
        DuckDBSink<Map<String, Object>> sink =
                DuckDBSink.forMaps("jdbc:duckdb:md:shop", "orders")
                        .setMotherDuckToken(TOKEN)
                        .setMaxRetries(0)
                        .build();
        assertThatThrownBy(() -> sink.getConfig().connection().open())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(e.toString()).doesNotContain(TOKEN));
    }
}
