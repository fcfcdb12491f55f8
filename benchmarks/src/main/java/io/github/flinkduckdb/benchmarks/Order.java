package io.github.flinkduckdb.benchmarks;

/** The benchmark row: BIGINT, VARCHAR, DOUBLE, TIMESTAMP, VARCHAR, the same in every case. */
public class Order {

    static final String CREATE_TABLE =
            "CREATE TABLE orders (id BIGINT, customer VARCHAR, amount DOUBLE, placed_at TIMESTAMP, category VARCHAR)";
    static final String CREATE_TABLE_WITH_KEY =
            "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR, amount DOUBLE, placed_at TIMESTAMP, category VARCHAR)";
    static final long BASE_MICROS = 1_700_000_000_000_000L;
    static final String[] CUSTOMERS = new String[1000];
    static final String[] CATEGORIES = {
        "books", "games", "garden", "music", "tools", "toys", "food"
    };

    static {
        for (int i = 0; i < CUSTOMERS.length; i++) {
            CUSTOMERS[i] = "customer-" + i;
        }
    }

    public long id;
    public String customer;
    public double amount;
    public long placedAtMicros;
    public String category;

    public Order() {}

    static Order of(long i) {
        Order o = new Order();
        o.id = i;
        o.customer = CUSTOMERS[(int) (i % CUSTOMERS.length)];
        o.amount = i * 0.5;
        o.placedAtMicros = BASE_MICROS + i * 1000;
        o.category = CATEGORIES[(int) (i % CATEGORIES.length)];
        return o;
    }
}
