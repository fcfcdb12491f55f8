package io.github.flinkduckdb.e2e.otter;

import java.util.ArrayList;
import java.util.List;

/**
 * Orders shaped like the Otter seed's, with what a real stream has: every 50th message is malformed
 * JSON and every 75th (otherwise well-formed) has {@code "quantity": "two"}; both are dead letters.
 * The counts the outputs must reach are computed here.
 */
final class OrderMessages {

    final List<String> bodies = new ArrayList<>();
    long validOrders;
    long purchases;
    long deadLetters;

    OrderMessages(int n) {
        for (int i = 0; i < n; i++) {
            if (i % 50 == 49) {
                bodies.add("{\"order_id\": " + i + ", \"items\": [{\"sku\": ");
                deadLetters++;
                continue;
            }
            boolean badQuantity = i % 75 == 74;
            int items = i % 4; // 0..3 items; 0 gives an order without purchases
            StringBuilder list = new StringBuilder("[");
            for (int k = 0; k < items; k++) {
                if (k > 0) {
                    list.append(", ");
                }
                list.append("{\"sku\": \"SKU-")
                        .append(k)
                        .append("\", \"name\": \"item ")
                        .append(k)
                        .append("\", \"quantity\": ")
                        .append(badQuantity ? "\"two\"" : String.valueOf(k + 1))
                        .append(", \"price\": ")
                        .append(k + 1)
                        .append(".25}");
            }
            list.append(']');
            if (badQuantity && items > 0) {
                deadLetters++;
            } else {
                validOrders++;
                purchases += items;
            }
            bodies.add(
                    "{\"order_id\": "
                            + i
                            + ", \"user\": {\"id\": "
                            + (i % 10)
                            + ", \"name\": \"user "
                            + (i % 10)
                            + "\"}, \"items\": "
                            + list
                            + ", \"currency\": \""
                            + (i % 2 == 0 ? "EUR" : "USD")
                            + "\", \"placed_at\": \"2026-11-01 10:"
                            + String.format("%02d", i % 60)
                            + ":00\"}");
        }
    }
}
