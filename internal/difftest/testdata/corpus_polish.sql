-- Differential corpus: small differences QA found between stripesql and PostgreSQL 15 — output
-- column names (PostgreSQL's FigureColname: the outermost cast's type, CASE's ELSE, grouping,
-- keyword-like expressions), char(n) comparison and length, to_char's ordinal suffixes and the
-- numeric scale of stddev/variance/avg over integers. Format as in corpus.sql.

-- ===== Output column names =====

-- name: polish_name_outer_cast_wins
SELECT 0::regclass::oid, 'charges'::regclass::oid <> 0 AS ok;

-- name: polish_name_cast_of_column_keeps_column
SELECT amount::text, amount::bigint::text, currency::varchar(3) FROM charges WHERE id = '{charges.id}';

-- name: polish_name_grouping_rollup
SELECT currency, grouping(currency), count(*) FROM charges GROUP BY ROLLUP(currency) ORDER BY currency NULLS LAST;

-- name: polish_name_case_takes_else_column
SELECT CASE WHEN amount > 1000 THEN 'big' ELSE currency END, CASE WHEN amount > 1000 THEN 1 ELSE 2::int END, CASE WHEN amount > 0 THEN 1 END FROM charges WHERE id = '{charges.id}';

-- name: polish_name_keyword_expressions
SELECT ARRAY[1, 2], EXISTS (SELECT 1), COALESCE(NULL, 1), NULLIF(1, 2), GREATEST(1, 2), LEAST(1, 2), ROW(1, 2), (SELECT 1 AS x), (SELECT 1)::int, ARRAY(SELECT 1);

-- name: polish_name_subscripts_and_fields
SELECT (ARRAY[1, 2])[1], (ARRAY['a', 'b'])[2], (ROW(1, 'x'::text)).f2, (c).f1 FROM (SELECT ROW(id, amount) AS c FROM charges WHERE id = '{charges.id}') s;

-- name: polish_name_cast_of_keyword_expression
SELECT COALESCE(NULL, 1)::text, ARRAY[1]::text[], (CASE WHEN true THEN 1 END)::text, 1::int::text, 'x' COLLATE "C";

-- name: polish_name_operators_unnamed
SELECT 1 + 1, 1 IN (1, 2), 1 = ANY (ARRAY[1]), -1, NOT true;

-- ===== to_char: ordinal suffixes and other patterns =====

-- name: polish_to_char_ordinals
SELECT d, to_char(d, 'DDth FMDDth DDTH DDDth YYYYth Monthth HH24th MIth Qth WWth J th') AS s FROM (VALUES (timestamp '2026-11-21 10:00'), (timestamp '2026-11-02 11:12:00'), (timestamp '2026-01-13 03:22'), (timestamp '2026-12-31 23:01'), (timestamp '2026-03-03 12:11:13'), (timestamp '2026-02-22 00:00')) v(d) ORDER BY d;

-- name: polish_to_char_interval_ordinals
SELECT to_char(interval '11 hours 3 minutes 22 seconds', 'HH24th MIth SSTH');

-- name: polish_to_char_charges_created
SELECT id, to_char(created AT TIME ZONE 'UTC', 'FMDDth "of" FMMonth YYYY, Dy HH12:MI AM (IW/IDDD/ID) Q') AS s FROM charges ORDER BY id LIMIT 5;

-- name: polish_to_char_patterns
SELECT to_char(timestamp '2026-11-21 09:05:07.123456', 'YYYY YYY YY Y IYYY CC MM DD DDD IDDD D ID HH HH12 HH24 MI SS MS US AM am A.M. p.m. MONTH Month month MON Mon mon DAY Day day DY Dy dy Q WW IW W J');

-- ===== Numeric scale of stddev, variance and avg over integers =====

-- name: polish_stddev_variance_avg_of_bigint
SELECT stddev(amount), stddev_pop(amount), variance(amount), var_pop(amount), avg(amount), stddev_samp(amount_refunded), var_samp(amount_refunded) FROM charges;

-- name: polish_stddev_by_currency
SELECT currency, count(*), stddev(amount), variance(amount), avg(amount) FROM charges GROUP BY currency ORDER BY currency;

-- name: polish_stddev_small_values
SELECT stddev(x), variance(x), avg(x), stddev(x::numeric / 3), stddev_pop((x % 1000)::int2) FROM (VALUES (1), (2), (4), (100000), (7)) v(x);

-- name: polish_stddev_constant_and_single
SELECT stddev(x), variance(x), stddev_pop(x), var_pop(x) FROM (VALUES (5), (5), (5)) v(x) UNION ALL SELECT stddev(x), variance(x), stddev_pop(x), var_pop(x) FROM (VALUES (5)) v(x);
