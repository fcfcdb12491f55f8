package io.github.flinkduckdb.sink.suite;

/**
 * Flink's sink test suite for the DuckDB sink on Flink 2.2 with the database file released between
 * commits (see {@link DuckDBSinkSuiteITCase}).
 */
class DuckDBSinkReleasingSuiteITCase extends DuckDBSinkTestSuite.ReleasingBetweenCommits {}
