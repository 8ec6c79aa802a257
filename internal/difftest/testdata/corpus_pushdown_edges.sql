-- Values Stripe reads differently from SQL: an empty string is "no filter" to a Stripe list or
-- search, so it must stay with the engine. Format: see corpus.sql.

-- name: empty_customer_filter
SELECT count(*) AS n FROM charges WHERE customer = '';

-- name: empty_customer_in_list
SELECT count(*) AS n FROM charges WHERE customer IN ('', '{charges.customer#1}');

-- name: empty_id
SELECT id FROM customers WHERE id = '';

-- name: empty_email
SELECT count(*) AS n FROM customers WHERE email = '';
