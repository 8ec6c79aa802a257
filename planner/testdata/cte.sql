-- name: cte read twice is planned once
WITH per_customer AS (SELECT customer, sum(amount) AS total FROM charges WHERE customer = 'cus_1' GROUP BY customer)
SELECT customer, total FROM per_customer WHERE total > (SELECT avg(total) FROM per_customer)
-- name: cte with column names joined to a table
-- set: stripesql.max_requests = 100000
WITH r(charge_id, refunded) AS (SELECT charge, amount FROM refunds WHERE created > '2024-06-01')
SELECT ch.id, r.refunded FROM r JOIN charges ch ON ch.id = r.charge_id
-- name: recursive cte
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12) SELECT i FROM n
-- name: recursive cte type mismatch
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT 'x' || i FROM n) SELECT i FROM n
-- name: cte requests count against the budget
WITH all_charges AS (SELECT id FROM charges) SELECT count(*) FROM all_charges
-- name: unknown cte column
WITH a AS (SELECT id FROM customers WHERE id = 'cus_1') SELECT nosuch FROM a
-- name: cte too many column names
WITH a(x, y) AS (SELECT id FROM customers WHERE id = 'cus_1') SELECT x FROM a
