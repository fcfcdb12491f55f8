package io.github.flinkduckdb.otter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random order-like messages with nesting, missing fields, nulls, integers and floats in the same
 * field, numbers as strings, and a few messages that break the schema or the JSON syntax.
 */
final class GeneratedMessages {

    static final String SCHEMA =
            "id BIGINT, kind VARCHAR, score DOUBLE, qty INTEGER, price DECIMAL(10,2), flag BOOLEAN,"
                    + " code VARCHAR, ts TIMESTAMP, meta JSON,"
                    + " \"user\" STRUCT(id BIGINT, name VARCHAR, tags VARCHAR[],"
                    + " address STRUCT(city VARCHAR, zip VARCHAR)),"
                    + " items STRUCT(sku VARCHAR, qty INTEGER, price DOUBLE,"
                    + " attrs STRUCT(color VARCHAR, size INTEGER))[]";

    private static final String[] KINDS = {"a", "b", "click", "view", "Ünïcode"};
    private static final String[] COLORS = {"red", "green", "blue"};
    private static final String[] CITIES = {"Berlin", "Lyon", "Porto", "Oslo"};

    private final Random random;

    GeneratedMessages(long seed) {
        this.random = new Random(seed);
    }

    List<String> take(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(message(i));
        }
        return out;
    }

    private String message(int id) {
        int roll = random.nextInt(100);
        if (roll == 0) {
            return "{\"id\": " + id + ", \"kind\": ";
        }
        if (roll == 1) {
            return "{\"id\": " + id + ", \"qty\": \"many\"}";
        }
        if (roll == 2) {
            return "{\"id\": " + id + ", \"qty\": 2.5}";
        }
        if (roll == 3) {
            return "{\"id\": " + id + ", \"ts\": \"yesterday\"}";
        }
        StringBuilder sb = new StringBuilder("{");
        field(sb, "id", String.valueOf(id), false);
        field(sb, "kind", str(KINDS[random.nextInt(KINDS.length)]), true);
        field(
                sb,
                "score",
                random.nextBoolean()
                        ? String.valueOf(random.nextInt(100))
                        : String.valueOf(random.nextInt(10000) / 100.0),
                true);
        field(sb, "qty", String.valueOf(random.nextInt(20) - 5), true);
        String price = random.nextInt(10000) / 100 + "." + (10 + random.nextInt(90));
        field(sb, "price", random.nextBoolean() ? price : str(price), true);
        field(sb, "flag", String.valueOf(random.nextBoolean()), true);
        field(
                sb,
                "code",
                str(
                        random.nextInt(5) == 0
                                ? "x" + random.nextInt(9)
                                : String.valueOf(random.nextInt(1000))),
                true);
        field(
                sb,
                "ts",
                str(
                        String.format(
                                "2026-%02d-%02dT%02d:%02d:00Z",
                                1 + random.nextInt(12),
                                1 + random.nextInt(28),
                                random.nextInt(24),
                                random.nextInt(60))),
                true);
        field(
                sb,
                "meta",
                random.nextBoolean()
                        ? "{\"source\": " + str("s" + random.nextInt(3)) + ", \"n\": [1, 2]}"
                        : String.valueOf(random.nextInt(5)),
                true);
        field(sb, "user", user(), true);
        field(sb, "items", items(), true);
        if (random.nextInt(4) == 0) {
            field(sb, "unexpected", "{\"deep\": [1, {\"x\": null}]}", false);
        }
        return sb.append('}').toString();
    }

    private String user() {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "id", String.valueOf(random.nextInt(50)), true);
        field(sb, "name", str("user" + random.nextInt(10)), true);
        StringBuilder tags = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                tags.append(", ");
            }
            tags.append(random.nextInt(6) == 0 ? "null" : str("t" + random.nextInt(5)));
        }
        field(sb, "tags", tags.append(']').toString(), true);
        StringBuilder address = new StringBuilder("{");
        field(address, "city", str(CITIES[random.nextInt(CITIES.length)]), true);
        field(address, "zip", str(String.valueOf(10000 + random.nextInt(89999))), true);
        field(sb, "address", address.append('}').toString(), true);
        return sb.append('}').toString();
    }

    private String items() {
        int n = random.nextInt(5);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            StringBuilder item = new StringBuilder("{");
            field(item, "sku", str("SKU-" + random.nextInt(8)), true);
            field(item, "qty", String.valueOf(1 + random.nextInt(5)), true);
            field(
                    item,
                    "price",
                    random.nextBoolean()
                            ? String.valueOf(random.nextInt(50))
                            : String.valueOf(random.nextInt(5000) / 100.0),
                    true);
            StringBuilder attrs = new StringBuilder("{");
            field(attrs, "color", str(COLORS[random.nextInt(COLORS.length)]), true);
            field(attrs, "size", String.valueOf(random.nextInt(5)), true);
            field(item, "attrs", attrs.append('}').toString(), true);
            sb.append(item.append('}'));
        }
        return sb.append(']').toString();
    }

    /** Adds a field; optional fields are sometimes missing and sometimes null. */
    private void field(StringBuilder sb, String name, String json, boolean optional) {
        if (optional) {
            int roll = random.nextInt(100);
            if (roll < 12) {
                return;
            }
            if (roll < 20) {
                json = "null";
            }
        }
        if (sb.length() > 1) {
            sb.append(", ");
        }
        sb.append('"').append(name).append("\": ").append(json);
    }

    private static String str(String s) {
        return "\"" + s + "\"";
    }

    /** Models over {@link #SCHEMA}: row-local ones first, then ones that must run per message. */
    static String[][] models() {
        return new String[][] {
            {"basic", "SELECT id, kind, score, qty * 2 AS qty2, price, flag, ts FROM incoming"},
            {
                "nested",
                "SELECT id, incoming.user.name AS user_name, incoming.user.address.city AS city,"
                        + " len(incoming.user.tags) AS ntags FROM incoming"
            },
            {
                "purchases",
                "SELECT incoming.id, unnest.sku, unnest.qty, unnest.price * unnest.qty AS total,"
                        + " unnest.attrs.color AS color FROM incoming, unnest(incoming.items)"
            },
            {"filtered", "SELECT id, score FROM incoming WHERE score > 50 OR flag"},
            {
                "comprehension",
                "SELECT id, [i.sku FOR i IN items IF i.qty > 1] AS skus,"
                        + " list_sum([i.price FOR i IN items]) AS total FROM incoming"
            },
            {"tags", "SELECT id, unnest(incoming.user.tags) AS tag FROM incoming"},
            {
                "correlated",
                "SELECT id, (SELECT max(t.i.price) FROM unnest(incoming.items) AS t(i)) AS max_price"
                        + " FROM incoming"
            },
            {"casts", "SELECT id, CAST(code AS INTEGER) AS code_number FROM incoming"},
            {"crossed", "SELECT id, r.range AS r FROM incoming, range(2) AS r"},
            {
                "cases",
                "SELECT id, CASE WHEN kind = 'a' THEN 'A' WHEN kind IS NULL THEN 'none' ELSE"
                        + " upper(kind) END AS k, coalesce(qty, -1) AS q FROM incoming"
            },
            {"json", "SELECT id, meta->>'$.source' AS source, json_type(meta) AS mt FROM incoming"},
            {"structs", "SELECT id, incoming.user AS u, items FROM incoming WHERE id % 3 = 0"},
            {
                "counted",
                "SELECT count(*) AS n, sum(unnest.qty) AS q FROM incoming, unnest(incoming.items)"
            },
            {
                "colors",
                "SELECT DISTINCT unnest.attrs.color AS color FROM incoming, unnest(incoming.items)"
                        + " ORDER BY color NULLS FIRST"
            },
            {"first_sku", "SELECT unnest.sku FROM incoming, unnest(incoming.items) LIMIT 1"},
            {
                "ranked",
                "SELECT unnest.sku, row_number() OVER (ORDER BY unnest.price DESC NULLS LAST,"
                        + " unnest.sku, unnest.qty) AS rn FROM incoming, unnest(incoming.items)"
                        + " ORDER BY rn"
            },
            {
                "sides",
                "SELECT id, 'a' AS side FROM incoming UNION ALL SELECT id, 'b' FROM incoming WHERE flag"
            },
            {"self", "SELECT id, (SELECT count(*) FROM incoming) AS c FROM incoming"}
        };
    }

    static OtterTransformBuilder transform() {
        OtterTransformBuilder builder = OtterTransform.builder().incomingSchema(SCHEMA);
        for (String[] m : models()) {
            builder.addModel(m[0], m[1]);
        }
        return builder;
    }
}
