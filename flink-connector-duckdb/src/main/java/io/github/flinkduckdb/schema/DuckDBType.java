package io.github.flinkduckdb.schema;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A DuckDB column type as a tree: scalar types, {@code DECIMAL(p,s)}, {@code ENUM(...)} and the
 * nested {@code LIST}, fixed-size {@code ARRAY}, {@code MAP}, {@code STRUCT} and {@code UNION}.
 * {@link #parse(String)} reads the text DuckDB prints in {@code duckdb_columns().data_type}; {@link
 * #toSql()} writes it back.
 */
@PublicEvolving
public final class DuckDBType implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The type's kind. {@link #OTHER} keeps types this project does not know by name. */
    public enum Id {
        BOOLEAN,
        TINYINT,
        SMALLINT,
        INTEGER,
        BIGINT,
        HUGEINT,
        UTINYINT,
        USMALLINT,
        UINTEGER,
        UBIGINT,
        UHUGEINT,
        FLOAT,
        DOUBLE,
        DECIMAL,
        VARCHAR,
        JSON,
        BLOB,
        BIT,
        BIGNUM,
        UUID,
        DATE,
        TIME,
        TIME_NS,
        TIME_TZ,
        TIMESTAMP_S,
        TIMESTAMP_MS,
        TIMESTAMP,
        TIMESTAMP_NS,
        TIMESTAMP_TZ,
        INTERVAL,
        ENUM,
        LIST,
        ARRAY,
        MAP,
        STRUCT,
        UNION,
        OTHER
    }

    /** A named child of a STRUCT or UNION, or the unnamed element/key/value of a collection. */
    public static final class Field implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;
        private final DuckDBType type;

        public Field(String name, DuckDBType type) {
            this.name = name;
            this.type = Objects.requireNonNull(type);
        }

        public String name() {
            return name;
        }

        public DuckDBType type() {
            return type;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Field
                    && Objects.equals(name, ((Field) o).name)
                    && type.equals(((Field) o).type);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, type);
        }
    }

    private final Id id;
    private final int precision;
    private final int scale;
    private final int arraySize;
    private final List<Field> children;
    private final List<String> enumValues;
    private final String otherName;

    private DuckDBType(
            Id id,
            int precision,
            int scale,
            int arraySize,
            List<Field> children,
            List<String> enumValues,
            String otherName) {
        this.id = id;
        this.precision = precision;
        this.scale = scale;
        this.arraySize = arraySize;
        this.children = Collections.unmodifiableList(new ArrayList<>(children));
        this.enumValues = Collections.unmodifiableList(new ArrayList<>(enumValues));
        this.otherName = otherName;
    }

    /** A type without parameters, e.g. {@code BIGINT}. */
    public static DuckDBType of(Id id) {
        switch (id) {
            case DECIMAL:
            case ENUM:
            case LIST:
            case ARRAY:
            case MAP:
            case STRUCT:
            case UNION:
            case OTHER:
                throw new IllegalArgumentException(id + " needs parameters");
            default:
                return new DuckDBType(
                        id, 0, 0, 0, Collections.emptyList(), Collections.emptyList(), null);
        }
    }

    public static DuckDBType decimal(int precision, int scale) {
        if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
            throw new IllegalArgumentException(
                    "DECIMAL(" + precision + "," + scale + ") is not a valid DuckDB decimal");
        }
        return new DuckDBType(
                Id.DECIMAL,
                precision,
                scale,
                0,
                Collections.emptyList(),
                Collections.emptyList(),
                null);
    }

    public static DuckDBType list(DuckDBType element) {
        return new DuckDBType(
                Id.LIST,
                0,
                0,
                0,
                Collections.singletonList(new Field(null, element)),
                Collections.emptyList(),
                null);
    }

    public static DuckDBType array(DuckDBType element, int size) {
        return new DuckDBType(
                Id.ARRAY,
                0,
                0,
                size,
                Collections.singletonList(new Field(null, element)),
                Collections.emptyList(),
                null);
    }

    public static DuckDBType map(DuckDBType key, DuckDBType value) {
        List<Field> kv = new ArrayList<>();
        kv.add(new Field("key", key));
        kv.add(new Field("value", value));
        return new DuckDBType(Id.MAP, 0, 0, 0, kv, Collections.emptyList(), null);
    }

    public static DuckDBType struct(List<Field> fields) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("A STRUCT needs at least one field");
        }
        return new DuckDBType(Id.STRUCT, 0, 0, 0, fields, Collections.emptyList(), null);
    }

    public static DuckDBType union(List<Field> members) {
        return new DuckDBType(Id.UNION, 0, 0, 0, members, Collections.emptyList(), null);
    }

    public static DuckDBType enumOf(List<String> values) {
        return new DuckDBType(Id.ENUM, 0, 0, 0, Collections.emptyList(), values, null);
    }

    /** A type this project has no mapping for, kept by its SQL text. */
    public static DuckDBType other(String sqlText) {
        return new DuckDBType(
                Id.OTHER, 0, 0, 0, Collections.emptyList(), Collections.emptyList(), sqlText);
    }

    /** Parses a DuckDB type as written in SQL or printed by DuckDB. */
    public static DuckDBType parse(String text) {
        return DuckDBTypeParser.parse(text);
    }

    public Id id() {
        return id;
    }

    public int precision() {
        return precision;
    }

    public int scale() {
        return scale;
    }

    public int arraySize() {
        return arraySize;
    }

    public List<Field> children() {
        return children;
    }

    public List<String> enumValues() {
        return enumValues;
    }

    /** The element type of a LIST or ARRAY. */
    public DuckDBType elementType() {
        checkKind(Id.LIST, Id.ARRAY);
        return children.get(0).type();
    }

    public DuckDBType keyType() {
        checkKind(Id.MAP);
        return children.get(0).type();
    }

    public DuckDBType valueType() {
        checkKind(Id.MAP);
        return children.get(1).type();
    }

    private void checkKind(Id... ids) {
        for (Id candidate : ids) {
            if (candidate == id) {
                return;
            }
        }
        throw new IllegalStateException(toSql() + " has no such part");
    }

    public boolean isNested() {
        return id == Id.LIST || id == Id.ARRAY || id == Id.MAP || id == Id.STRUCT || id == Id.UNION;
    }

    /** The type in DuckDB SQL, e.g. {@code STRUCT("a" INTEGER, "b" VARCHAR[])}. */
    public String toSql() {
        switch (id) {
            case DECIMAL:
                return "DECIMAL(" + precision + "," + scale + ")";
            case LIST:
                return wrapForSuffix(elementType()) + "[]";
            case ARRAY:
                return wrapForSuffix(elementType()) + "[" + arraySize + "]";
            case MAP:
                return "MAP(" + keyType().toSql() + ", " + valueType().toSql() + ")";
            case STRUCT:
            case UNION:
                StringBuilder sb = new StringBuilder(id.name()).append('(');
                for (int i = 0; i < children.size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    Field f = children.get(i);
                    sb.append(SqlIdentifiers.quote(f.name())).append(' ').append(f.type().toSql());
                }
                return sb.append(')').toString();
            case ENUM:
                StringBuilder e = new StringBuilder("ENUM(");
                for (int i = 0; i < enumValues.size(); i++) {
                    if (i > 0) {
                        e.append(", ");
                    }
                    e.append(SqlIdentifiers.literal(enumValues.get(i)));
                }
                return e.append(')').toString();
            case TIME_TZ:
                return "TIME WITH TIME ZONE";
            case TIMESTAMP_TZ:
                return "TIMESTAMP WITH TIME ZONE";
            case OTHER:
                return otherName;
            default:
                return id.name();
        }
    }

    private static String wrapForSuffix(DuckDBType element) {
        // MAP(...)[] and STRUCT(...)[] parse fine; nothing needs parentheses in DuckDB syntax.
        return element.toSql();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DuckDBType)) {
            return false;
        }
        DuckDBType that = (DuckDBType) o;
        return id == that.id
                && precision == that.precision
                && scale == that.scale
                && arraySize == that.arraySize
                && children.equals(that.children)
                && enumValues.equals(that.enumValues)
                && Objects.equals(
                        otherName == null ? null : otherName.toUpperCase(Locale.ROOT),
                        that.otherName == null ? null : that.otherName.toUpperCase(Locale.ROOT));
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, precision, scale, arraySize, children, enumValues);
    }

    @Override
    public String toString() {
        return toSql();
    }
}
