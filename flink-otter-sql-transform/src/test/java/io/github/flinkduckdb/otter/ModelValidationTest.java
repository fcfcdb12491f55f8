package io.github.flinkduckdb.otter;

import io.github.flinkduckdb.otter.model.OtterModelException;
import io.github.flinkduckdb.otter.model.OtterModelException.Problem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Models that cannot run are rejected when the job is built, naming the model and the problem. */
class ModelValidationTest {

    private static final String SCHEMA = "a BIGINT, b VARCHAR";

    private static OtterModelException reject(String sql) {
        return catchThrowableOfType(
                OtterModelException.class,
                () -> OtterTransform.builder().incomingSchema(SCHEMA).addModel("m", sql).build());
    }

    @Test
    void syntaxErrorNamesModelLineAndColumnWithACaret() {
        OtterModelException e = reject("SELECT a,\n       b\nFORM incoming");
        assertThat(e.problem()).isEqualTo(Problem.SYNTAX_ERROR);
        assertThat(e.model()).isEqualTo("m");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(6);
        assertThat(e.getMessage())
                .isEqualTo(
                        "Model 'm' has a syntax error at line 3, column 6: syntax error at or near"
                                + " \"incoming\"\n"
                                + "    FORM incoming\n"
                                + "         ^");
        assertThat(e.duckdbMessage()).contains("syntax error at or near \"incoming\"");
    }

    @Test
    void syntaxErrorInAModelFileNamesTheFile(@TempDir Path dir) throws Exception {
        Files.write(
                dir.resolve("broken.sql"),
                "SELECT a FROM incoming WHERE".getBytes(StandardCharsets.UTF_8));
        OtterModelException e =
                catchThrowableOfType(
                        OtterModelException.class,
                        () ->
                                OtterTransform.builder()
                                        .incomingSchema(SCHEMA)
                                        .addModelsFromDirectory(dir)
                                        .build());
        assertThat(e.getMessage())
                .startsWith(
                        "Model 'broken' ("
                                + dir.resolve("broken.sql")
                                + ") has a syntax error at line 1, column 24: syntax error at or"
                                + " near \"WHERE\"");
    }

    @Test
    void statementsOtherThanSelectAreRejected() {
        for (String sql :
                new String[] {
                    "INSERT INTO t VALUES (1)",
                    "COPY (SELECT 1) TO 'out.csv'",
                    "ATTACH 'other.duckdb' AS other",
                    "INSTALL httpfs",
                    "LOAD httpfs",
                    "CREATE TABLE t AS SELECT * FROM incoming",
                    "SET threads = 8",
                    "PRAGMA version"
                }) {
            OtterModelException e = reject(sql);
            assertThat(e.problem()).as(sql).isEqualTo(Problem.NOT_A_SELECT);
            assertThat(e.getMessage())
                    .as(sql)
                    .isEqualTo(
                            "Model 'm' is not a SELECT statement: a model is one DuckDB SELECT over"
                                    + " the table incoming (DuckDB: Only SELECT statements can be"
                                    + " serialized to json!)");
        }
    }

    @Test
    void emptyAndMultipleStatementsAreRejected() {
        assertThat(reject("-- nothing here").getMessage())
                .isEqualTo("Model 'm' is empty: write one SELECT over incoming");
        OtterModelException two = reject("SELECT a FROM incoming; SELECT b FROM incoming");
        assertThat(two.problem()).isEqualTo(Problem.MULTIPLE_STATEMENTS);
        assertThat(two.getMessage())
                .isEqualTo("Model 'm' has 2 statements; a model is exactly one SELECT");
    }

    @Test
    void tablesOtherThanIncomingAreRejected() {
        OtterModelException other = reject("SELECT * FROM orders");
        assertThat(other.problem()).isEqualTo(Problem.FORBIDDEN_TABLE);
        assertThat(other.getMessage())
                .isEqualTo(
                        "Model 'm' reads the table 'orders'; a model reads only the table incoming"
                                + " (unqualified) and its own CTEs");
        assertThat(reject("SELECT * FROM main.incoming").getMessage())
                .contains("reads the table 'main.incoming'");
        assertThat(reject("SELECT * FROM __otter.main.batch").problem())
                .isEqualTo(Problem.FORBIDDEN_TABLE);
        assertThat(reject("SELECT a FROM incoming WHERE a IN (SELECT x FROM other)").getMessage())
                .contains("reads the table 'other'");
        assertThat(reject("SELECT * FROM query('SELECT 1')").getMessage())
                .isEqualTo(
                        "Model 'm' uses the table function query, which runs SQL text; a model"
                                + " reads only incoming");
        assertThat(reject("WITH incoming AS (SELECT 1 AS a) SELECT a FROM incoming").getMessage())
                .contains("defines a CTE named incoming");
    }

    @Test
    void fileAndNetworkAccessIsRejectedWithDuckDBsMessage() {
        OtterModelException csv = reject("SELECT * FROM read_csv('/etc/passwd')");
        assertThat(csv.problem()).isEqualTo(Problem.EXTERNAL_ACCESS);
        assertThat(csv.getMessage())
                .startsWith(
                        "Model 'm' uses the table function read_csv, which may read files or the"
                                + " network; file and network access is disabled for models")
                .contains(
                        "(DuckDB: Permission Error: Cannot access file \"/etc/passwd\" - file"
                                + " system operations are disabled by configuration");
        assertThat(reject("SELECT * FROM read_parquet('https://example.com/x.parquet')").problem())
                .isEqualTo(Problem.EXTERNAL_ACCESS);
        assertThat(reject("SELECT * FROM glob('*')").problem()).isEqualTo(Problem.EXTERNAL_ACCESS);
        OtterModelException file = reject("SELECT * FROM 'data/orders.parquet'");
        assertThat(file.problem()).isEqualTo(Problem.EXTERNAL_ACCESS);
        assertThat(file.getMessage())
                .isEqualTo(
                        "Model 'm' reads 'data/orders.parquet'; a model reads only the table"
                                + " incoming, not files, URLs or other databases");
        OtterModelException scalar =
                reject("SELECT a, read_text('/etc/hostname') AS t FROM incoming");
        assertThat(scalar.getMessage()).contains("Model 'm'");
    }

    @Test
    void fileAccessCanBeAllowed(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("labels.csv");
        Files.write(csv, "k,label\n1,one\n2,two\n".getBytes(StandardCharsets.UTF_8));
        OtterTransform transform =
                OtterTransform.builder()
                        .incomingSchema(SCHEMA)
                        .allowExternalAccess(true)
                        .addModel(
                                "m",
                                "SELECT a, l.label FROM incoming LEFT JOIN read_csv('"
                                        + csv
                                        + "') AS l ON l.k = incoming.a")
                        .build();
        assertThat(transform.model("m").isRowLocal()).isTrue();
        try (OtterEngine engine = transform.openEngine()) {
            OtterResult r =
                    engine.process(
                                    java.util.Collections.singletonList(
                                            OtterMessage.of("{\"a\": 2}")),
                                    0)
                            .get(0);
            assertThat(r.rows(0)).hasSize(1);
            assertThat(r.rows(0).get(0).getField("label")).isEqualTo("two");
        }
    }

    @Test
    void unknownColumnsAreRejectedWithDuckDBsBinderMessage() {
        OtterModelException e = reject("SELECT incoming.nope FROM incoming");
        assertThat(e.problem()).isEqualTo(Problem.BINDING);
        assertThat(e.getMessage())
                .startsWith(
                        "Model 'm' does not bind against the incoming schema: Binder Error:"
                                + " Table \"incoming\" does not have a column named \"nope\"");
        assertThat(reject("SELECT incoming.rowid FROM incoming").getMessage())
                .isEqualTo(
                        "Model 'm' uses rowid, which identifies nothing about a message; select"
                                + " the message's own fields");
    }

    @Test
    void parametersAndDuplicateOutputColumnsAreRejected() {
        assertThat(reject("SELECT a FROM incoming WHERE a = ?").getMessage())
                .isEqualTo("Model 'm' has query parameters (? or $n); models take no parameters");
        assertThat(reject("SELECT a, b AS A FROM incoming").getMessage())
                .isEqualTo(
                        "Model 'm' has the output column 'A' more than once; give each column its"
                                + " own name (AS ...)");
    }

    @Test
    void declaredOutputSchemaMustMatchTheModel() {
        OtterModelException e =
                catchThrowableOfType(
                        OtterModelException.class,
                        () ->
                                OtterTransform.builder()
                                        .incomingSchema(SCHEMA)
                                        .addModel("m", "SELECT a, b FROM incoming")
                                        .outputSchema("m", "a BIGINT, c VARCHAR")
                                        .build());
        assertThat(e.problem()).isEqualTo(Problem.OUTPUT_SCHEMA);
        assertThat(e.getMessage())
                .isEqualTo(
                        "Model 'm' does not match its declared output schema: declared but not"
                                + " selected: [c]; selected but not declared: [b]");
    }

    @Test
    void duplicateModelNamesAndMissingSettingsAreRejected() {
        assertThatThrownBy(
                        () ->
                                OtterTransform.builder()
                                        .incomingSchema(SCHEMA)
                                        .addModel("orders", "SELECT a FROM incoming")
                                        .addModel("Orders", "SELECT b FROM incoming")
                                        .build())
                .isInstanceOf(OtterModelException.class)
                .hasMessage(
                        "Two models are named 'Orders' (names ignore case): 'orders' and 'Orders'");
        assertThatThrownBy(() -> OtterTransform.builder().incomingSchema(SCHEMA).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("No models");
        // Without an incoming schema each message is typed alone (SchemaFreeEquivalenceTest).
        assertThat(
                        OtterTransform.builder()
                                .addModel("m", "SELECT a FROM incoming")
                                .build()
                                .isSchemaFree())
                .isTrue();
        assertThatThrownBy(
                        () ->
                                OtterTransform.builder()
                                        .incomingSchema("a BIGINT, b NOSUCHTYPE")
                                        .addModel("m", "SELECT a FROM incoming")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NOSUCHTYPE");
        assertThatThrownBy(
                        () ->
                                OtterTransform.builder()
                                        .incomingSchema(SCHEMA)
                                        .addModel("m", "SELECT a FROM incoming")
                                        .maxBatchSize(0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchSize must be at least 1, got 0");
    }
}
