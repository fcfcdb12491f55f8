package io.github.flinkduckdb.table;

import io.github.flinkduckdb.conversion.DuckDBTypeMapping;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBTableSchema;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.types.logical.LogicalType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a declared Flink schema against an existing DuckDB table before a job starts: column names
 * (case-insensitive, as DuckDB matches them), compatible types and the primary key. Every mismatch
 * fails with the Flink table, the DuckDB table and the column named.
 */
@Internal
final class DuckDBSchemaValidator {

    private DuckDBSchemaValidator() {}

    /** For writing: every Flink column exists and takes the Flink values. */
    static void validateForWrite(ResolvedSchema flink, DuckDBTableSchema duck, String flinkTable) {
        Set<String> declared = new HashSet<>();
        for (Column c : flink.getColumns()) {
            if (!c.isPhysical()) {
                continue;
            }
            declared.add(c.getName().toLowerCase(Locale.ROOT));
            ColumnSchema target = column(duck, c.getName(), flinkTable);
            LogicalType type = c.getDataType().getLogicalType();
            if (!DuckDBTypeCompatibility.canWrite(type, target.type())) {
                throw mismatch(flinkTable, duck, c, target, "written to");
            }
        }
        for (ColumnSchema d : duck.columns()) {
            if (!declared.contains(d.name().toLowerCase(Locale.ROOT))
                    && !d.nullable()
                    && !d.defaultExpression().isPresent()) {
                throw new ValidationException(
                        "Column '"
                                + d.name()
                                + "' of DuckDB table "
                                + duck.identifier()
                                + " is NOT NULL without a default, but Flink table '"
                                + flinkTable
                                + "' does not declare it; add the column to the Flink schema");
            }
        }
        validatePrimaryKey(flink, duck, flinkTable);
    }

    /** For reading: every Flink column exists and its DuckDB values fit the Flink type. */
    static void validateForRead(ResolvedSchema flink, DuckDBTableSchema duck, String flinkTable) {
        for (Column c : flink.getColumns()) {
            if (!c.isPhysical()) {
                continue;
            }
            ColumnSchema source = column(duck, c.getName(), flinkTable);
            if (!DuckDBTypeCompatibility.canRead(source.type(), c.getDataType().getLogicalType())) {
                throw mismatch(flinkTable, duck, c, source, "read from");
            }
        }
        validatePrimaryKey(flink, duck, flinkTable);
    }

    private static ColumnSchema column(DuckDBTableSchema duck, String name, String flinkTable) {
        int i = duck.indexOf(name);
        if (i < 0) {
            List<String> names = new ArrayList<>();
            for (ColumnSchema c : duck.columns()) {
                names.add(c.name());
            }
            throw new ValidationException(
                    "Column '"
                            + name
                            + "' of Flink table '"
                            + flinkTable
                            + "' does not exist in DuckDB table "
                            + duck.identifier()
                            + " (its columns: "
                            + names
                            + ")");
        }
        return duck.column(i);
    }

    private static ValidationException mismatch(
            String flinkTable, DuckDBTableSchema duck, Column c, ColumnSchema d, String direction) {
        return new ValidationException(
                "Column '"
                        + c.getName()
                        + "' of Flink table '"
                        + flinkTable
                        + "' has type "
                        + c.getDataType().getLogicalType().asSummaryString()
                        + ", which cannot be "
                        + direction
                        + " column '"
                        + d.name()
                        + "' "
                        + d.type().toSql()
                        + " of DuckDB table "
                        + duck.identifier()
                        + describeNatural(d));
    }

    private static String describeNatural(ColumnSchema d) {
        try {
            return " (declare it as "
                    + DuckDBTypeMapping.toFlink(d.type(), d.name())
                            .getLogicalType()
                            .asSummaryString()
                    + ")";
        } catch (ValidationException e) {
            return "";
        }
    }

    private static void validatePrimaryKey(
            ResolvedSchema flink, DuckDBTableSchema duck, String flinkTable) {
        List<String> flinkKey =
                flink.getPrimaryKey()
                        .map(UniqueConstraint::getColumns)
                        .orElse(Collections.emptyList());
        if (flinkKey.isEmpty() || duck.primaryKey().isEmpty()) {
            return;
        }
        if (!lower(flinkKey).equals(lower(duck.primaryKey()))) {
            throw new ValidationException(
                    "Flink table '"
                            + flinkTable
                            + "' declares PRIMARY KEY "
                            + flinkKey
                            + " but DuckDB table "
                            + duck.identifier()
                            + " has PRIMARY KEY "
                            + duck.primaryKey()
                            + "; declare the same key");
        }
    }

    private static Set<String> lower(List<String> names) {
        Set<String> out = new HashSet<>();
        for (String n : names) {
            out.add(n.toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
