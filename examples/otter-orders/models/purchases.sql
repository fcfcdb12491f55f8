-- models/purchases.sql
SELECT
    incoming.order_id,
    unnest.sku,
    unnest.name                              AS product_name,
    unnest.quantity,
    unnest.price                             AS unit_price,
    round(unnest.price * unnest.quantity, 2)  AS line_total,
    incoming.user.id                         AS user_id,
    incoming.placed_at
FROM incoming, unnest(incoming.items)
