package io.github.flinkduckdb.source;

import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.SqlIdentifiers;
import io.github.flinkduckdb.schema.TableIdentifier;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code SELECT} a scan or lookup runs: the produced columns, each cast to the DuckDB type of
 * its declared Flink type (so DuckDB-only types such as HUGEINT, UUID, ENUM and JSON arrive as the
 * declared DECIMAL or STRING), the pushed-down filters, an optional split range and limit.
 */
@Internal
public final class DuckDBScanQuery implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TableIdentifier table;
    private final RowType producedType;
    private final DuckDBPredicate filter;
    private final long limit;

    /**
     * @param filter pushed-down filters, or null
     * @param limit the pushed-down limit, or -1
     */
    public DuckDBScanQuery(
            TableIdentifier table, RowType producedType, DuckDBPredicate filter, long limit) {
        this.table = table;
        this.producedType = producedType;
        this.filter = filter;
        this.limit = limit;
    }

    public TableIdentifier table() {
        return table;
    }

    public RowType producedType() {
        return producedType;
    }

    public DuckDBPredicate filter() {
        return filter;
    }

    public long limit() {
        return limit;
    }

    /** {@code CAST("name" AS <DuckDB type of the Flink type>)}, how a column is read. */
    public static String columnExpression(String name, LogicalType flinkType) {
        return "CAST("
                + SqlIdentifiers.quote(name)
                + " AS "
                + DuckDBTypeMapping.toDuckDB(flinkType, name).toSql()
                + ")";
    }

    /** The select list: one cast column per produced field, named like the field. */
    public String selectList() {
        List<String> parts = new ArrayList<>();
        for (RowType.RowField f : producedType.getFields()) {
            parts.add(
                    columnExpression(f.getName(), f.getType())
                            + " AS "
                            + SqlIdentifiers.quote(f.getName()));
        }
        return parts.isEmpty() ? "1" : String.join(", ", parts);
    }

    /**
     * The statement for {@code extra} conditions (a split range, lookup keys; may be null) on top
     * of the pushed-down filters. Bind {@link #filter()}'s values first, then {@code extra}'s.
     */
    public String sql(DuckDBPredicate extra) {
        List<DuckDBPredicate> where = new ArrayList<>();
        if (filter != null) {
            where.add(filter);
        }
        if (extra != null) {
            where.add(extra);
        }
        DuckDBPredicate all = DuckDBPredicate.and(where);
        return "SELECT "
                + selectList()
                + " FROM "
                + table.toSql()
                + (all == null ? "" : " WHERE " + all.sql())
                + (limit >= 0 ? " LIMIT " + limit : "");
    }

    /** The values for {@link #sql(DuckDBPredicate)}, in placeholder order. */
    public List<Serializable> values(DuckDBPredicate extra) {
        List<Serializable> values = new ArrayList<>();
        if (filter != null) {
            values.addAll(filter.values());
        }
        if (extra != null) {
            values.addAll(extra.values());
        }
        return values;
    }

    @Override
    public String toString() {
        return sql(null) + (filter == null ? "" : " " + filter.values());
    }
}
