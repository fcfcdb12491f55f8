package io.github.flinkduckdb.catalog;

import io.github.flinkduckdb.connection.DuckDBConnectionProvider;
import io.github.flinkduckdb.connection.Secret;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Catalog;
import org.apache.flink.table.factories.CatalogFactory;
import org.apache.flink.table.factories.FactoryUtil;

import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** Creates a {@link DuckDBCatalog} for {@code CREATE CATALOG c WITH ('type' = 'duckdb', ...)}. */
@Internal
public class DuckDBCatalogFactory implements CatalogFactory {

    public static final String IDENTIFIER = "duckdb";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Collections.emptySet();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = new LinkedHashSet<>();
        options.add(DuckDBCatalogOptions.PATH);
        options.add(DuckDBCatalogOptions.URL);
        options.add(DuckDBCatalogOptions.MOTHERDUCK_TOKEN);
        options.add(DuckDBCatalogOptions.DEFAULT_DATABASE);
        return options;
    }

    @Override
    public Catalog createCatalog(Context context) {
        FactoryUtil.CatalogFactoryHelper helper =
                FactoryUtil.createCatalogFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String path = options.getOptional(DuckDBCatalogOptions.PATH).orElse(null);
        String url = options.getOptional(DuckDBCatalogOptions.URL).orElse(null);
        if ((path == null) == (url == null)) {
            throw new ValidationException(
                    "Catalog '"
                            + context.getName()
                            + "': set exactly one of 'path' (a DuckDB file) and 'url' (jdbc:duckdb:...); "
                            + (path == null ? "neither is set" : "both are set"));
        }
        String resolved =
                path != null
                        ? DuckDBConnectionProvider.URL_PREFIX + Paths.get(path).toAbsolutePath()
                        : url;
        Secret token =
                options.getOptional(DuckDBCatalogOptions.MOTHERDUCK_TOKEN)
                        .filter(t -> !t.trim().isEmpty())
                        .map(Secret::of)
                        .orElse(null);
        DuckDBConnectionProvider connection;
        try {
            connection = new DuckDBConnectionProvider(resolved, token, Collections.emptyMap());
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Catalog '" + context.getName() + "': " + e.getMessage(), e);
        }
        return new DuckDBCatalog(
                context.getName(),
                options.get(DuckDBCatalogOptions.DEFAULT_DATABASE),
                connection,
                path != null);
    }
}
