package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBCommittable.PayloadFormat;
import io.github.flinkduckdb.sink.DuckDBSinkException;

import org.apache.flink.annotation.Internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * Seals staged rows into payload bytes (writer side) and opens payload bytes as a relation DuckDB
 * can {@code INSERT ... SELECT} from (committer side). Parquet with zstd is the compact default; a
 * DuckDB database file is used when a column's type does not survive Parquet exactly (HUGEINT and
 * UHUGEINT become DOUBLE, INTERVAL loses microseconds, TIME WITH TIME ZONE its offset).
 */
@Internal
public final class Payloads {

    private Payloads() {}

    /** Sealed rows: the bytes and what they hold. */
    public static final class Sealed {
        public final PayloadFormat format;
        public final List<ColumnSchema> columns;
        public final byte[] bytes;

        Sealed(PayloadFormat format, List<ColumnSchema> columns, byte[] bytes) {
            this.format = format;
            this.columns = columns;
            this.bytes = bytes;
        }
    }

    /**
     * Writes the staged rows as payload bytes, with the staging table's system columns (batch id,
     * upsert operation and sequence) after the data columns; the staging table is left as it is.
     */
    public static Sealed seal(
            StagingTable staging,
            TableIdentifier table,
            java.util.function.LongFunction<String> batchOfRow)
            throws Exception {
        staging.flushAppender();
        StagedColumns columns = StagedColumns.of(staging, true);
        StringBuilder select = new StringBuilder(columns.selectList());
        for (ColumnSchema system : staging.systemColumns()) {
            select.append(", s.").append(SqlIdentifiers.quote(system.name()));
        }
        PayloadFormat format =
                needsDuckDBFormat(columns.columns()) ? PayloadFormat.DUCKDB : PayloadFormat.PARQUET;
        Path file =
                ScratchFiles.newFile(
                        "seal", format == PayloadFormat.PARQUET ? "parquet" : "duckdb");
        try (Statement st = staging.connection().createStatement()) {
            String query = "SELECT " + select + " FROM " + staging.qualifiedName() + " s";
            try {
                if (format == PayloadFormat.PARQUET) {
                    st.execute(
                            "COPY ("
                                    + query
                                    + ") TO "
                                    + SqlIdentifiers.literal(file.toString())
                                    + " (FORMAT parquet, COMPRESSION zstd)");
                } else {
                    String alias = "payload_" + UUID.randomUUID().toString().replace("-", "");
                    st.execute(
                            "ATTACH "
                                    + SqlIdentifiers.literal(file.toString())
                                    + " AS "
                                    + SqlIdentifiers.quote(alias));
                    try {
                        st.execute(
                                "CREATE TABLE "
                                        + SqlIdentifiers.quote(alias)
                                        + ".\"main\".\"payload\" AS "
                                        + query);
                    } finally {
                        st.execute("DETACH " + SqlIdentifiers.quote(alias));
                    }
                }
            } catch (SQLException e) {
                throw castFailure(staging, table, batchOfRow, e);
            }
            return new Sealed(format, columns.columns(), Files.readAllBytes(file));
        } finally {
            ScratchFiles.deleteQuietly(file);
        }
    }

    /**
     * Turns a failed cast of text-staged columns into a message naming the table, column and batch
     * of the first bad value.
     */
    public static Exception castFailure(
            StagingTable staging,
            TableIdentifier table,
            java.util.function.LongFunction<String> batchOfRow,
            SQLException e) {
        if (!String.valueOf(e.getMessage()).contains("Conversion Error")
                && !String.valueOf(e.getMessage()).contains("Invalid Input Error")) {
            return e;
        }
        for (ColumnPlan p : staging.plans()) {
            if (p.mode() == ColumnPlan.Mode.NATIVE || !p.castableOutsideTarget()) {
                continue;
            }
            String ref = "s." + p.quotedName();
            String tryCast =
                    p.mode() == ColumnPlan.Mode.JSON
                            ? "TRY_CAST(TRY_CAST(" + ref + " AS JSON) AS " + p.type().toSql() + ")"
                            : "TRY_CAST(" + ref + " AS " + p.type().toSql() + ")";
            // A fresh staging table's rowids count the rows in the order they were appended.
            String probe =
                    "SELECT s.rowid FROM "
                            + staging.qualifiedName()
                            + " s WHERE "
                            + ref
                            + " IS NOT NULL AND "
                            + tryCast
                            + " IS NULL LIMIT 1";
            try (Statement st = staging.connection().createStatement();
                    ResultSet rs = st.executeQuery(probe)) {
                if (rs.next()) {
                    String batchId = batchOfRow.apply(rs.getLong(1));
                    return new DuckDBSinkException(
                            "Cannot write a value to column '"
                                    + p.name()
                                    + "' ("
                                    + p.type().toSql()
                                    + ") of table "
                                    + table
                                    + " in "
                                    + (batchId == null
                                            ? "a record without batch id"
                                            : "batch '" + batchId + "'")
                                    + ": DuckDB cannot convert it: "
                                    + e.getMessage(),
                            e);
                }
            } catch (SQLException probeFailure) {
                e.addSuppressed(probeFailure);
            }
        }
        return new DuckDBSinkException(
                "Cannot convert staged values for table " + table + ": " + e.getMessage(), e);
    }

    private static boolean needsDuckDBFormat(List<ColumnSchema> columns) {
        for (ColumnSchema c : columns) {
            if (lossyInParquet(c.type())) {
                return true;
            }
        }
        return false;
    }

    private static boolean lossyInParquet(DuckDBType t) {
        switch (t.id()) {
            case HUGEINT:
            case UHUGEINT:
            case INTERVAL:
            case TIME_TZ:
            case TIME_NS:
            case BIT:
            case BIGNUM:
            case UNION:
            case OTHER:
                return true;
            default:
                for (DuckDBType.Field f : t.children()) {
                    if (lossyInParquet(f.type())) {
                        return true;
                    }
                }
                return false;
        }
    }

    /** Payload bytes opened for reading in the target database; close to clean up. */
    public static final class Opened implements AutoCloseable {
        private final Connection connection;
        private final Path file;
        private final String alias;
        private final String relation;

        private Opened(Connection connection, Path file, String alias, String relation) {
            this.connection = connection;
            this.file = file;
            this.alias = alias;
            this.relation = relation;
        }

        /** A relation usable in {@code FROM}. */
        public String relation() {
            return relation;
        }

        @Override
        public void close() {
            try {
                if (alias != null) {
                    try (Statement st = connection.createStatement()) {
                        st.execute("DETACH DATABASE IF EXISTS " + SqlIdentifiers.quote(alias));
                    } catch (SQLException e) {
                        // the file is deleted below either way
                    }
                }
            } finally {
                ScratchFiles.deleteQuietly(file);
            }
        }
    }

    /** Writes the payload to a scratch file and exposes it to {@code connection}. */
    public static Opened open(Connection connection, PayloadFormat format, byte[] bytes)
            throws Exception {
        Path file =
                ScratchFiles.newFile(
                        "apply", format == PayloadFormat.PARQUET ? "parquet" : "duckdb");
        Files.write(file, bytes);
        if (format == PayloadFormat.PARQUET) {
            return new Opened(
                    connection,
                    file,
                    null,
                    "read_parquet(" + SqlIdentifiers.literal(file.toString()) + ")");
        }
        String alias = "payload_" + UUID.randomUUID().toString().replace("-", "");
        try (Statement st = connection.createStatement()) {
            st.execute(
                    "ATTACH "
                            + SqlIdentifiers.literal(file.toString())
                            + " AS "
                            + SqlIdentifiers.quote(alias)
                            + " (READ_ONLY)");
        } catch (SQLException e) {
            ScratchFiles.deleteQuietly(file);
            throw e;
        }
        return new Opened(
                connection, file, alias, SqlIdentifiers.quote(alias) + ".\"main\".\"payload\"");
    }
}
