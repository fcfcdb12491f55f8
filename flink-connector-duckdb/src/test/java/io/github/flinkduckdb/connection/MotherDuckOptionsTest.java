package io.github.flinkduckdb.connection;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Collections;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MotherDuck URLs and the token: the token reaches the driver and nothing else (not toString, not
 * messages, not the serialized job graph). MotherDuck itself cannot be reached from the test
 * machines; what runs against the service is listed in docs/sink.md.
 */
class MotherDuckOptionsTest {

    private static final String TOKEN = "md-token-7fQ2x9SECRETvalue01";

    @Test
    void recognisesMotherDuckUrls() {
        DuckDBConnectionProvider md = DuckDBConnectionProvider.of("jdbc:duckdb:md:shop");
        assertThat(md.isMotherDuck()).isTrue();
        assertThat(md.localFile()).isEmpty();
        assertThat(md.describe()).isEqualTo("MotherDuck database 'md:shop'");
        assertThat(DuckDBConnectionProvider.of("jdbc:duckdb:motherduck:shop").isMotherDuck())
                .isTrue();
        DuckDBConnectionProvider file = DuckDBConnectionProvider.of("jdbc:duckdb:/data/a.duckdb");
        assertThat(file.isMotherDuck()).isFalse();
        assertThat(file.localFile())
                .hasValueSatisfying(p -> assertThat(p.toString()).isEqualTo("/data/a.duckdb"));
        assertThat(DuckDBConnectionProvider.of("jdbc:duckdb:").isInMemory()).isTrue();
    }

    @Test
    void passesTheTokenToTheDriverOnly() {
        DuckDBConnectionProvider md =
                new DuckDBConnectionProvider(
                        "jdbc:duckdb:md:shop", Secret.of(TOKEN), Collections.emptyMap());
        Properties props = md.connectionProperties(false);
        assertThat(props.getProperty("motherduck_token")).isEqualTo(TOKEN);
        assertThat(md.connectionProperties(true).getProperty("duckdb.read_only")).isEqualTo("true");
        assertThat(md.toString()).doesNotContain(TOKEN).contains("token=******");
        assertThat(md.describe()).doesNotContain(TOKEN);
    }

    @Test
    void withoutABuilderTokenLeavesItToTheEnvironmentVariable() {
        DuckDBConnectionProvider md = DuckDBConnectionProvider.of("jdbc:duckdb:md:shop");
        assertThat(md.connectionProperties(false).containsKey("motherduck_token")).isFalse();
        assertThat(DuckDBConnectionProvider.TOKEN_ENV).isEqualTo("motherduck_token");
    }

    @Test
    void masksATokenWrittenIntoTheUrl() {
        DuckDBConnectionProvider md =
                DuckDBConnectionProvider.of(
                        "jdbc:duckdb:md:shop?motherduck_token=" + TOKEN + "&x=1");
        assertThat(md.redactedUrl()).isEqualTo("jdbc:duckdb:md:shop?motherduck_token=******&x=1");
        assertThat(md.toString()).doesNotContain(TOKEN);
        SQLException e = new SQLException("failed for md:shop?motherduck_token=" + TOKEN);
        assertThat(md.scrub(e).getMessage()).doesNotContain(TOKEN);
    }
}
