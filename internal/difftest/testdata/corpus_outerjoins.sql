-- Outer joins in every position: RIGHT and FULL joins anywhere in FROM, joins nested on the right
-- of another join, derived tables and CTEs on either side. Format: see corpus.sql.

-- name: right_join_after_join
SELECT c.email, ch.id AS charge, r.id AS refund FROM customers c JOIN charges ch ON ch.customer = c.id RIGHT JOIN refunds r ON r.charge = ch.id;

-- name: right_join_after_left_join
SELECT s.id AS subscription, i.id AS invoice, ch.id AS charge FROM subscriptions s LEFT JOIN invoices i ON i.subscription = s.id RIGHT JOIN charges ch ON ch.invoice = i.id WHERE ch.amount > 5000;

-- name: right_join_using_keeps_right_value
SELECT customer, ch.id AS charge, s.id AS subscription FROM customers c JOIN charges ch ON ch.customer = c.id RIGHT JOIN subscriptions s USING (customer);

-- name: full_join_count
SELECT count(*) AS n, count(r.id) AS refunds, count(d.id) AS disputes FROM refunds r FULL OUTER JOIN disputes d ON d.charge = r.charge;

-- name: full_join_unmatched_either_side
SELECT r.id AS refund, d.id AS dispute FROM refunds r FULL JOIN disputes d ON d.charge = r.charge WHERE r.id IS NULL OR d.id IS NULL;

-- name: full_join_on_filter_keeps_rows
SELECT r.id AS refund, d.id AS dispute, d.status FROM refunds r FULL JOIN disputes d ON d.charge = r.charge AND d.status = 'lost';

-- name: full_join_where_coalesce
SELECT coalesce(r.charge, d.charge) AS charge, r.amount AS refunded, d.amount AS disputed FROM refunds r FULL JOIN disputes d ON d.charge = r.charge WHERE coalesce(r.amount, d.amount) > 1000;

-- name: full_join_null_keys
SELECT ch.id AS charge, i.id AS invoice FROM charges ch FULL JOIN invoices i ON i.id = ch.invoice;

-- name: full_join_key_and_filter
SELECT p.id AS product, c.id AS coupon FROM products p FULL JOIN coupons c ON c.name = p.name AND c.percent_off > 20;

-- name: full_join_on_false
SELECT count(*) AS n, count(p.id) AS products, count(c.id) AS coupons FROM products p FULL JOIN coupons c ON false;

-- name: full_join_of_ctes
WITH refunded AS (SELECT charge, sum(amount) AS amount FROM refunds GROUP BY charge),
     disputed AS (SELECT charge, sum(amount) AS amount FROM disputes GROUP BY charge)
SELECT coalesce(r.charge, d.charge) AS charge, r.amount AS refunded, d.amount AS disputed
FROM refunded r FULL JOIN disputed d ON d.charge = r.charge;

-- name: right_join_grouped
SELECT d.reason, count(r.id) AS refunds, count(*) AS rows FROM refunds r RIGHT JOIN disputes d ON d.charge = r.charge GROUP BY d.reason;

-- name: right_join_three_tables_where_on_preserved
SELECT ch.id AS charge, r.id AS refund, d.id AS dispute FROM refunds r JOIN charges ch ON ch.id = r.charge RIGHT JOIN disputes d ON d.charge = ch.id WHERE d.status <> 'won';

-- name: left_join_nested_inner_join
SELECT c.id AS customer, ch.id AS charge, r.id AS refund FROM customers c LEFT JOIN (charges ch JOIN refunds r ON r.charge = ch.id) ON ch.customer = c.id;

-- name: inner_join_nested_inner_join
SELECT c.email, ch.id AS charge, r.id AS refund FROM customers c JOIN (charges ch JOIN refunds r ON r.charge = ch.id) ON ch.customer = c.id;

-- name: full_join_nested_join
SELECT c.id AS customer, ch.id AS charge, d.id AS dispute FROM customers c FULL JOIN (charges ch JOIN disputes d ON d.charge = ch.id) ON ch.customer = c.id;

-- name: left_join_nested_left_join_filtered
SELECT c.email, ch.amount, r.amount AS refunded FROM customers c LEFT JOIN (charges ch LEFT JOIN refunds r ON r.charge = ch.id) ON ch.customer = c.id AND ch.amount > 10000 WHERE r.id IS NULL;

-- name: left_join_derived_table
SELECT c.id, t.n FROM customers c LEFT JOIN (SELECT customer, count(*) AS n FROM charges GROUP BY customer) t ON t.customer = c.id;

-- name: right_join_derived_table_after_join
SELECT s.id AS subscription, i.id AS invoice, t.customer, t.n FROM subscriptions s JOIN invoices i ON i.subscription = s.id RIGHT JOIN (SELECT customer, count(*) AS n FROM charges GROUP BY customer) t ON t.customer = s.customer;
