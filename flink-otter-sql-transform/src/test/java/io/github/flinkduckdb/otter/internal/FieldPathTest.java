package io.github.flinkduckdb.otter.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The texts rejections name a value's place with. */
class FieldPathTest {

    @Test
    void fieldsElementsAndMapEntriesReadAsInTheMessage() {
        assertThat(FieldPath.ROOT.isEmpty()).isTrue();
        assertThat(FieldPath.ROOT.toString()).isEmpty();
        FieldPath items = FieldPath.ROOT.child("items");
        assertThat(items.isEmpty()).isFalse();
        assertThat(items.toString()).isEqualTo("items");
        assertThat(items.element(0).child("quantity").toString()).isEqualTo("items[0].quantity");
        assertThat(FieldPath.ROOT.child("attrs").entry("color").toString())
                .isEqualTo("attrs['color']");
        String longKey = "k".repeat(50);
        assertThat(FieldPath.ROOT.child("m").entry(longKey).child("x").toString())
                .isEqualTo("m['" + "k".repeat(40) + "...'].x");
        assertThat(MessageRejections.field(items.element(3))).isEqualTo("field 'items[3]'");
    }
}
