package io.github.flinkduckdb.sink.suite;

/**
 * Flink's sink test suite for the DuckDB sink on Flink 1.20 with the sink's defaults: the shared
 * {@link DuckDBSinkTestSuite} (compiled against Flink 1.20) run by this line's {@code
 * SinkTestSuiteBase}, which this class is compiled against.
 */
class DuckDBSinkSuiteITCase extends DuckDBSinkTestSuite.SinkDefaults {}
