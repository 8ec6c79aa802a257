-- name: window row_number per partition
SELECT id, customer, row_number() OVER (PARTITION BY customer ORDER BY created, id) AS nth FROM charges WHERE currency = 'eur'
-- name: window share of grouped total
SELECT status, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS pct FROM payment_intents WHERE created >= '2024-06-01' GROUP BY status ORDER BY status
-- name: window named with frame
SELECT id, first_value(id) OVER w AS first, last_value(id) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last FROM charges WHERE currency = 'gbp' WINDOW w AS (PARTITION BY customer ORDER BY created, id)
-- name: window range frame with offsets
SELECT id, sum(amount) OVER (ORDER BY amount RANGE BETWEEN 1000 PRECEDING AND 1000 FOLLOWING) AS near FROM refunds
-- name: window rows frame moving average
SELECT id, avg(amount) OVER (ORDER BY created, id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS ma3 FROM payouts
-- name: window keeps limit above the window
SELECT id, count(*) OVER () AS total FROM customers LIMIT 5
-- name: window ordered by window value
SELECT id, rank() OVER (ORDER BY amount DESC) AS r FROM refunds ORDER BY r, id LIMIT 10
-- name: window lag lead ntile
SELECT id, lag(amount, 1, 0) OVER (ORDER BY created), lead(amount) OVER (ORDER BY created), ntile(4) OVER (ORDER BY amount) FROM payouts
-- name: window not allowed in where
SELECT id FROM charges WHERE row_number() OVER () = 1
-- name: window nested
SELECT sum(rank() OVER (ORDER BY amount)) OVER () FROM charges
-- name: window missing name
SELECT row_number() OVER w FROM charges
-- name: window distinct aggregate
SELECT count(DISTINCT customer) OVER () FROM charges
-- name: window scalar function with over
SELECT lower(id) OVER () FROM charges
-- name: window range offset needs one key
SELECT sum(amount) OVER (ORDER BY amount, id RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) FROM charges
