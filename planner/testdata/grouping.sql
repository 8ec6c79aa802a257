-- name: grouping rollup
SELECT currency, status, sum(amount) FROM charges WHERE created >= '2024-06-01' GROUP BY ROLLUP (currency, status)
-- name: grouping cube with grouping function
SELECT refunded, disputed, grouping(refunded, disputed) AS g, count(*) FROM charges WHERE customer = 'cus_1' GROUP BY CUBE (refunded, disputed)
-- name: grouping sets with empty set
SELECT currency, status, count(*) FROM charges WHERE customer = 'cus_1' GROUP BY GROUPING SETS ((currency), (status), ())
-- name: grouping function argument not grouped
SELECT grouping(amount) FROM charges GROUP BY ROLLUP (currency)
-- name: percentile within group
SELECT currency, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS median, percentile_disc(0.9) WITHIN GROUP (ORDER BY amount) FROM charges WHERE customer = 'cus_1' GROUP BY currency
-- name: percentile without within group
SELECT percentile_cont(0.5) FROM charges
-- name: ordered string_agg
SELECT customer, string_agg(id, ',' ORDER BY created DESC) FROM charges WHERE customer = 'cus_1' GROUP BY customer
-- name: generate_series months joined
SELECT m.month, count(ch.id) FROM generate_series(timestamptz '2024-01-01', timestamptz '2024-06-01', interval '1 month') AS m(month) LEFT JOIN charges ch ON date_trunc('month', ch.created) = m.month AND ch.customer = 'cus_1' GROUP BY m.month
-- name: generate_series integers
SELECT n * 2 FROM generate_series(1, 10) n WHERE n > 3
-- name: unnest in from
SELECT x, ordinality FROM unnest(ARRAY['a', 'b']) WITH ORDINALITY x
-- name: set-returning function alone in the select list
SELECT unnest(ARRAY[1, 2]) AS n
-- name: unsupported function in from
SELECT * FROM json_each('{}'::json)
