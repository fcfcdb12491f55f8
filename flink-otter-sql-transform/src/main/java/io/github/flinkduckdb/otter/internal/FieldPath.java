package io.github.flinkduckdb.otter.internal;

/**
 * Where a value sits in a message, for rejection texts ({@code items[0].quantity}): a link to its
 * parent, so walking a message costs no string building; the text is built only when a message is
 * rejected.
 */
final class FieldPath {

    /** The message itself (an empty path). */
    static final FieldPath ROOT = new FieldPath(null, null, -1, null);

    private final FieldPath parent;
    private final String name;
    private final int index;
    private final String key;

    private FieldPath(FieldPath parent, String name, int index, String key) {
        this.parent = parent;
        this.name = name;
        this.index = index;
        this.key = key;
    }

    /** The field {@code name} of the object here. */
    FieldPath child(String name) {
        return new FieldPath(this, name, -1, null);
    }

    /** Element {@code index} of the array here. */
    FieldPath element(int index) {
        return new FieldPath(this, null, index, null);
    }

    /** The value of {@code key} in the map here. */
    FieldPath entry(String key) {
        return new FieldPath(this, null, -1, key);
    }

    boolean isEmpty() {
        return parent == null;
    }

    @Override
    public String toString() {
        if (parent == null) {
            return "";
        }
        if (name != null) {
            return parent.isEmpty() ? name : parent + "." + name;
        }
        if (key != null) {
            String quoted =
                    key.length() > 40 ? "'" + key.substring(0, 40) + "...'" : "'" + key + "'";
            return parent + "[" + quoted + "]";
        }
        return parent + "[" + index + "]";
    }
}
