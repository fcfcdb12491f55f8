package io.github.flinkduckdb.source;

import io.github.flinkduckdb.schema.DuckDBTableSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchemaReader;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Divides a table into splits for parallel reading: equal ranges of its integer primary key when it
 * has a one-column one, else of DuckDB's {@code rowid}; one split for views, for tiny tables, with
 * a pushed-down limit, or with parallelism 1.
 */
@Internal
public final class DuckDBSplitPlanner {

    private DuckDBSplitPlanner() {}

    public static List<DuckDBSourceSplit> plan(
            Connection connection, TableIdentifier table, int parallelism, boolean limited)
            throws SQLException {
        if (parallelism <= 1 || limited) {
            return whole();
        }
        Optional<DuckDBTableSchema> schema = DuckDBTableSchemaReader.read(connection, table);
        if (!schema.isPresent()) {
            return whole(); // a view: no rowid
        }
        String column = rangeColumn(schema.get());
        BigInteger min;
        BigInteger max;
        long count;
        try (Statement st = connection.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT CAST(min("
                                        + column
                                        + ") AS VARCHAR), CAST(max("
                                        + column
                                        + ") AS VARCHAR), count(*) FROM "
                                        + table.toSql())) {
            rs.next();
            count = rs.getLong(3);
            if (count < 2 || rs.getString(1) == null) {
                return whole();
            }
            min = new BigInteger(rs.getString(1));
            max = new BigInteger(rs.getString(2));
        }
        return ranges(column, min, max, (int) Math.min(parallelism, count));
    }

    /** {@code n} contiguous ranges covering {@code [min, max]}. */
    static List<DuckDBSourceSplit> ranges(String column, BigInteger min, BigInteger max, int n) {
        BigInteger span = max.subtract(min).add(BigInteger.ONE);
        int parts = (int) Math.min(n, span.min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue());
        List<DuckDBSourceSplit> splits = new ArrayList<>(parts);
        BigInteger lower = min;
        for (int i = 0; i < parts; i++) {
            BigInteger upper =
                    i == parts - 1
                            ? max
                            : min.add(
                                            span.multiply(BigInteger.valueOf(i + 1))
                                                    .divide(BigInteger.valueOf(parts)))
                                    .subtract(BigInteger.ONE);
            splits.add(
                    new DuckDBSourceSplit(
                            "split-" + i,
                            column,
                            lower.longValueExact(),
                            upper.longValueExact(),
                            0));
            lower = upper.add(BigInteger.ONE);
        }
        return splits;
    }

    private static String rangeColumn(DuckDBTableSchema schema) {
        if (schema.primaryKey().size() == 1) {
            String key = schema.primaryKey().get(0);
            switch (schema.column(schema.indexOf(key)).type().id()) {
                case TINYINT:
                case SMALLINT:
                case INTEGER:
                case BIGINT:
                case UTINYINT:
                case USMALLINT:
                case UINTEGER:
                    return SqlIdentifiers.quote(key);
                default:
                    break;
            }
        }
        return "rowid";
    }

    private static List<DuckDBSourceSplit> whole() {
        return Collections.singletonList(DuckDBSourceSplit.whole("split-0"));
    }
}
