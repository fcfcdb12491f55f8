package io.github.flinkduckdb.otter.project;

import java.io.Serializable;
import java.util.Optional;

/** Outputs ({@code config/sinks.yml}): Parquet, DuckDB, or both at once. */
public record SinksConfig(ParquetOutputConfig parquet, DuckDBOutputConfig duckdb)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public Optional<ParquetOutputConfig> parquetOutput() {
        return Optional.ofNullable(parquet);
    }

    public Optional<DuckDBOutputConfig> duckdbOutput() {
        return Optional.ofNullable(duckdb);
    }
}
