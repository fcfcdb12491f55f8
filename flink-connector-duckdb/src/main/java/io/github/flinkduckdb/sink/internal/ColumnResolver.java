package io.github.flinkduckdb.sink.internal;

import io.github.flinkduckdb.conversion.ColumnPlan;
import io.github.flinkduckdb.conversion.TypeInference;
import io.github.flinkduckdb.schema.DuckDBType;
import io.github.flinkduckdb.schema.TableIdentifier;
import io.github.flinkduckdb.sink.DuckDBSinkException;
import io.github.flinkduckdb.sink.UnknownColumnPolicy;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the staging column of a name given in a row (case-insensitively, as DuckDB does, with a
 * bounded cache) and handles names the table lacks by the {@link UnknownColumnPolicy}: fail, drop
 * the value, or add the column ({@link UnknownColumnPolicy#EVOLVE}, its type inferred from the
 * value).
 */
final class ColumnResolver {

    private static final int NAME_CACHE_LIMIT = 10_000;

    private final TableIdentifier table;
    private final UnknownColumnPolicy policy;
    private final StagingRowCollector.SchemaEvolution evolution;
    private final StagedBatches batches;
    private final Map<String, Integer> indexByName = new HashMap<>();

    ColumnResolver(
            TableIdentifier table,
            UnknownColumnPolicy policy,
            StagingRowCollector.SchemaEvolution evolution,
            StagedBatches batches) {
        this.table = table;
        this.policy = policy;
        this.evolution = evolution;
        this.batches = batches;
    }

    /**
     * The index of column {@code name} among the staging table's columns, adding the column under
     * EVOLVE; -1 when the value is to be dropped.
     */
    int resolve(String name, Object value, StagingTable staging) {
        int idx = indexOf(name, staging);
        if (idx >= 0) {
            return idx;
        }
        switch (policy) {
            case IGNORE:
                return -1;
            case EVOLVE:
                return evolve(name, value, staging);
            case FAIL:
            default:
                throw new DuckDBSinkException(
                        "Unknown column '"
                                + name
                                + "' for table "
                                + table
                                + " in "
                                + batches.describeCurrent()
                                + "; the table has columns "
                                + ColumnPlan.names(staging.plans())
                                + " (set UnknownColumnPolicy IGNORE to drop it or EVOLVE to add it)");
        }
    }

    private int indexOf(String name, StagingTable staging) {
        Integer cached = indexByName.get(name);
        if (cached != null) {
            return cached;
        }
        List<ColumnPlan> plans = staging.plans();
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < plans.size(); i++) {
            if (plans.get(i).name().toLowerCase(Locale.ROOT).equals(lower)) {
                if (indexByName.size() < NAME_CACHE_LIMIT) {
                    indexByName.put(name, i);
                }
                return i;
            }
        }
        return -1;
    }

    private int evolve(String name, Object value, StagingTable staging) {
        DuckDBType type = TypeInference.infer(value);
        if (type == null) {
            if (value == null) {
                return -1;
            }
            throw new DuckDBSinkException(
                    "Cannot infer a DuckDB type for new column '"
                            + name
                            + "' of table "
                            + table
                            + " from Java type "
                            + value.getClass().getName()
                            + "; add the column to the table yourself");
        }
        try {
            // Rows of this record already appended keep their place; the staging table is rebuilt
            // with the new column.
            evolution.addColumn(name, type);
        } catch (DuckDBSinkException e) {
            throw e;
        } catch (Exception e) {
            throw new DuckDBSinkException(
                    "Could not add column '"
                            + name
                            + "' ("
                            + type.toSql()
                            + ") to table "
                            + table
                            + ": "
                            + e.getMessage(),
                    e);
        }
        indexByName.clear();
        return indexOf(name, staging);
    }
}
