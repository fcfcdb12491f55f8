package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.table.DuckDBConnectorOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.catalog.CommonCatalogOptions;

/** The options of {@code CREATE CATALOG ... WITH ('type' = 'duckdb', ...)}. */
@PublicEvolving
public final class DuckDBCatalogOptions {

    private DuckDBCatalogOptions() {}

    /** The DuckDB database file; exactly one of this and {@link #URL}. */
    public static final ConfigOption<String> PATH = DuckDBConnectorOptions.PATH;

    /** The JDBC URL ({@code jdbc:duckdb:...}, {@code jdbc:duckdb:md:<db>}). */
    public static final ConfigOption<String> URL = DuckDBConnectorOptions.URL;

    /** The MotherDuck token; kept by the catalog, never put into table options. */
    public static final ConfigOption<String> MOTHERDUCK_TOKEN =
            DuckDBConnectorOptions.MOTHERDUCK_TOKEN;

    public static final ConfigOption<String> DEFAULT_DATABASE =
            ConfigOptions.key(CommonCatalogOptions.DEFAULT_DATABASE_KEY)
                    .stringType()
                    .defaultValue(DuckDBCatalog.DEFAULT_DATABASE)
                    .withDescription(
                            "The DuckDB schema that is the catalog's current database; 'main' by default.");
}
