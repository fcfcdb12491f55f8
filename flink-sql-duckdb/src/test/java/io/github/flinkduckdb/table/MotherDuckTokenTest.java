package io.github.flinkduckdb.table;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MotherDuck token given as 'motherduck.token' never appears in the sink's strings or in its
 * serialized form (which ends up in the job graph). MotherDuck itself is not reachable from the
 * test machines: planning notes that and leaves the check to the job.
 */
class MotherDuckTokenTest {

    private static final String TOKEN = "md-token-5f1b2c3d4e";

    @Test
    void tokenIsNeitherPrintedNorSerializedInPlainText() throws Exception {
        Map<String, String> options = new HashMap<>();
        options.put("connector", "duckdb");
        options.put("url", "jdbc:duckdb:md:shop");
        options.put("motherduck.token", TOKEN);
        options.put("create-table", "true");
        options.put("sink.delivery-guarantee", "exactly-once");
        ResolvedCatalogTable table =
                new ResolvedCatalogTable(
                        CatalogTable.newBuilder()
                                .schema(
                                        Schema.newBuilder()
                                                .column("id", DataTypes.BIGINT())
                                                .build())
                                .options(options)
                                .build(),
                        ResolvedSchema.of(Column.physical("id", DataTypes.BIGINT())));
        DynamicTableSink sink =
                FactoryUtil.createDynamicTableSink(
                        null,
                        ObjectIdentifier.of("c", "d", "orders"),
                        table,
                        Collections.emptyMap(),
                        new Configuration(),
                        MotherDuckTokenTest.class.getClassLoader(),
                        true);
        assertThat(sink.asSummaryString()).doesNotContain(TOKEN);
        org.apache.flink.api.connector.sink2.Sink<?> runtime =
                ((SinkV2Provider) sink.getSinkRuntimeProvider(null)).createSink();
        assertThat(runtime.toString()).contains("md:shop").doesNotContain(TOKEN);
        byte[] bytes = InstantiationUtil.serializeObject(runtime);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain(TOKEN);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain(TOKEN);
    }
}
