-- name: setop union all
SELECT id FROM customers WHERE created >= '2024-06-01' UNION ALL SELECT customer FROM charges WHERE created >= '2024-06-01'
-- name: setop union ordered limited
SELECT customer FROM charges WHERE currency = 'eur' UNION SELECT customer FROM subscriptions WHERE status = 'active' ORDER BY customer DESC LIMIT 5
-- name: setop intersect
SELECT id FROM charges WHERE currency = 'usd' INTERSECT SELECT charge FROM refunds WHERE created >= '2024-06-01'
-- name: setop except all with unified types
SELECT amount FROM charges WHERE customer = 'cus_1' EXCEPT ALL SELECT amount_refunded::numeric FROM charges WHERE customer = 'cus_2'
-- name: setop column count mismatch
SELECT id, email FROM customers UNION SELECT id FROM charges
-- name: setop types cannot be matched
SELECT amount FROM charges UNION SELECT id FROM customers
-- name: setop order by expression
SELECT id FROM customers UNION SELECT customer FROM charges ORDER BY lower(id)
