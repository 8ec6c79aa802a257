-- Differential corpus: PostgreSQL functions analysts and BI tools call (internal/expr). Same format
-- as corpus.sql. Each family mixes queries over the loaded Stripe tables with constant edge cases
-- (NULLs, empty groups, errors are not compared here: unit tests in internal/expr cover those).

-- ===== Bitwise aggregates =====

-- name: fn_bit_aggs_by_currency
SELECT currency, bit_and(amount), bit_or(amount), bit_xor(amount), count(*) FROM charges GROUP BY currency ORDER BY currency;

-- name: fn_bit_aggs_types_and_nulls
SELECT bit_and(x::int2), pg_typeof(bit_and(x::int2)), bit_or(x::int8), pg_typeof(bit_or(x::int8)), bit_xor(x) FROM (VALUES (NULL::int), (3), (5), (12)) v(x);

-- name: fn_bit_aggs_empty_group
SELECT bit_and(amount), bit_or(amount), bit_xor(amount) FROM charges WHERE amount < 0;

-- name: fn_bit_or_flags_per_customer
SELECT customer, bit_or(CASE WHEN refunded THEN 1 ELSE 0 END | CASE WHEN paid THEN 2 ELSE 0 END) AS flags FROM charges GROUP BY customer ORDER BY customer;

-- ===== JSON object aggregates =====

-- name: fn_jsonb_object_agg_status_counts
SELECT currency, jsonb_object_agg(status, n) FROM (SELECT currency, status, count(*) AS n FROM charges GROUP BY currency, status) s GROUP BY currency ORDER BY currency;

-- name: fn_json_object_agg_ordered
SELECT currency, json_object_agg(status, n ORDER BY status) FROM (SELECT currency, status, count(*) AS n FROM charges GROUP BY currency, status) s GROUP BY currency ORDER BY currency;

-- name: fn_object_agg_null_values_and_duplicate_keys
SELECT json_object_agg(k, v ORDER BY o), jsonb_object_agg(k, v ORDER BY o) FROM (VALUES (1, 1.50, NULL), (2, 2, 'x'), (3, 1.50, 'y')) t(o, k, v);

-- name: fn_object_agg_key_types
SELECT json_object_agg(k, v ORDER BY k), jsonb_object_agg(d, k) FROM (VALUES (true, ARRAY[1,2], timestamptz '2024-01-01 10:00+00'), (false, NULL, timestamptz '2024-02-01 10:00+00')) t(k, v, d);

-- name: fn_object_agg_empty_group
SELECT jsonb_object_agg(id, amount), json_object_agg(id, amount) FROM charges WHERE amount < 0;

-- name: fn_jsonb_object_agg_monthly_revenue_pivot
SELECT jsonb_object_agg(month, total) FROM (SELECT to_char(created, 'YYYY-MM') AS month, sum(amount) AS total FROM charges WHERE status = 'succeeded' GROUP BY 1) m;

-- ===== System and NULL-counting functions =====

-- name: fn_pg_typeof_columns
SELECT pg_typeof(id), pg_typeof(amount), pg_typeof(created), pg_typeof(metadata), pg_typeof(paid), pg_typeof(amount / 100.0), pg_typeof(amount::float8) FROM charges WHERE id = '{charges.id#0}';

-- name: fn_pg_typeof_literals
SELECT pg_typeof(1), pg_typeof('a'), pg_typeof(NULL), pg_typeof(1.5), pg_typeof(ARRAY[1]), pg_typeof(1::int8), pg_typeof('{}'::jsonb), pg_typeof(date '2024-01-01'), pg_typeof(interval '1 day'), pg_typeof(NULL::text);

-- name: fn_gen_random_uuid_shape
SELECT length(gen_random_uuid()::text), gen_random_uuid()::text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$', gen_random_uuid() <> gen_random_uuid();

-- name: fn_num_nulls
SELECT id, num_nulls(description, failure_code, invoice, review), num_nonnulls(description, failure_code, invoice, review, customer) FROM charges ORDER BY id;

-- name: fn_num_nulls_constants
SELECT num_nulls(1, NULL, NULL), num_nonnulls(1, NULL), num_nulls(NULL), num_nonnulls('a');

-- ===== Two-variable statistics =====

-- name: fn_corr_covar_by_currency
SELECT currency, corr(amount_refunded, amount), covar_pop(amount_refunded, amount), covar_samp(amount_refunded, amount), regr_count(amount_refunded, amount) FROM charges GROUP BY currency ORDER BY currency;

-- name: fn_regr_trend_amount_over_time
SELECT regr_slope(amount, extract(epoch FROM created)), regr_intercept(amount, extract(epoch FROM created)), regr_r2(amount, extract(epoch FROM created)), regr_avgx(amount, extract(epoch FROM created)), regr_avgy(amount, extract(epoch FROM created)) FROM charges;

-- name: fn_regr_sums
SELECT regr_sxx(y, x), regr_syy(y, x), regr_sxy(y, x), corr(y, x), covar_pop(y, x) FROM (VALUES (1.0, 2.0), (2.0, 4.1), (3.0, 6.3), (NULL, 7.0), (4.0, NULL)) v(x, y);

-- name: fn_regr_degenerate
SELECT regr_count(y, x), corr(y, x), covar_samp(y, x), covar_pop(y, x), regr_slope(y, x), regr_r2(y, x), regr_intercept(y, x) FROM (VALUES (1, 2)) v(x, y);

-- name: fn_regr_constant_y
SELECT corr(y, x), regr_r2(y, x), regr_slope(y, x), regr_sxx(y, x) FROM (VALUES (1, 2), (2, 2), (3, 2)) v(x, y);

-- name: fn_regr_empty
SELECT regr_count(amount, amount_refunded), corr(amount, amount_refunded), regr_avgx(amount, amount_refunded) FROM charges WHERE amount < 0;

-- ===== Array editing =====

-- name: fn_array_append_prepend_cat
SELECT array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2, 3]), array_append(ARRAY[1], 2.5), array_cat(ARRAY[1], ARRAY[2.5]);

-- name: fn_array_edit_nulls
SELECT array_append(ARRAY[1], NULL), array_append(NULL::int[], 1), array_prepend(NULL, ARRAY[1]), array_cat(NULL::int[], ARRAY[1]), array_cat(ARRAY[1], NULL), array_cat(NULL::int[], NULL);

-- name: fn_array_remove_replace_positions
SELECT array_remove(ARRAY[1, NULL, 2, 1], 1), array_remove(ARRAY[1, NULL, 2], NULL), array_replace(ARRAY[1, NULL, 1], 1, 9), array_replace(ARRAY[1, NULL], NULL, 5), array_positions(ARRAY[1, NULL, 1], 1), array_positions(ARRAY[1, NULL, 1], NULL), array_remove(NULL::int[], 1);

-- name: fn_array_edit_empty_and_dims
SELECT array_remove('{}'::int[], 1), array_positions('{}'::int[], 1), array_dims('{}'::int[]), array_dims(ARRAY['a', 'b', 'c']), trim_array(ARRAY[1, 2, 3], 1), trim_array(ARRAY[1, 2, 3], 0), trim_array(ARRAY[1, 2, 3], 3);

-- name: fn_array_edit_over_aggregates
SELECT currency, array_remove(array_agg(DISTINCT status ORDER BY status), 'failed'), array_append(array_agg(DISTINCT status ORDER BY status), 'total'), array_positions(array_agg(paid ORDER BY id), false) IS NOT NULL FROM charges GROUP BY currency ORDER BY currency;

-- name: fn_array_types
SELECT pg_typeof(array_append(ARRAY['a'], 'b')), pg_typeof(array_append(ARRAY[1], 2.5)), pg_typeof(array_positions(ARRAY[1], 1)), pg_typeof(array_cat(ARRAY[1::int8], ARRAY[2]));

-- ===== Numeric and mathematical functions =====

-- name: fn_ln_log_exp_numeric
SELECT ln(2.0), log(100.0), log10(2.0), log(2.0, 8.0), ln(1.05), ln(0.95), ln(1e-20), exp(1.0), exp(2.5), exp(-1.5), exp(0.0), log(0.001), ln(123456789.123);

-- name: fn_ln_log_exp_float
SELECT ln(2), log(2), log(1000), log10(1000), exp(1), pg_typeof(log(2)), pg_typeof(ln(2.0)), pg_typeof(exp(1));

-- name: fn_log_of_amounts
SELECT id, ln(amount::numeric), log(amount), log(amount::numeric), log(2.0, amount::numeric), exp(amount / 10000.0) FROM charges WHERE amount > 0 ORDER BY id;

-- name: fn_gcd_lcm
SELECT gcd(12, 18), lcm(4, 6), gcd(0, 0), lcm(0, 5), gcd(-12, 18), pg_typeof(gcd(1::int8, 2)), gcd(1.5, 2.25), lcm(1.5, 2.5), lcm(1.25, 0.5), lcm(-3.0, 4), gcd(0.0, 0);

-- name: fn_gcd_of_amounts
SELECT currency, gcd(min(amount), max(amount)), lcm(min(amount) % 1000 + 1, 12) FROM charges GROUP BY currency ORDER BY currency;

-- name: fn_scale_functions
SELECT scale(1.2300), trim_scale(1.2300), trim_scale(100.0), min_scale(1.2300), min_scale(0), scale(5), trim_scale(-0.00), scale(NULL::numeric);

-- name: fn_scale_of_computed
SELECT id, scale(amount / 100.0), trim_scale(amount / 100.0), min_scale(amount / 100.0) FROM charges ORDER BY id LIMIT 20;

-- name: fn_factorial
SELECT factorial(0), factorial(5), factorial(20), factorial(30), pg_typeof(factorial(5));

-- name: fn_trigonometry
SELECT degrees(pi()), radians(180), sin(0), cos(0), tan(0), atan2(1, 1), asin(1), acos(1), atan(1), cot(1), cbrt(27), cbrt(-8), degrees(atan2(-1, -1));

-- ===== Dates and times =====

-- name: fn_to_date_templates
SELECT to_date('2024-03-05', 'YYYY-MM-DD'), to_date('20240305', 'YYYYMMDD'), to_date('05/03/2024', 'DD/MM/YYYY'), to_date('Mar 5 2024', 'Mon DD YYYY'), to_date('March 05, 2024', 'Month DD, YYYY'), to_date('Tuesday 05 march 2024', 'Day DD month YYYY'), to_date('2024-065', 'YYYY-DDD');

-- name: fn_to_date_lenient
SELECT to_date('2024  -  03-05', 'YYYY-MM-DD'), to_date('2024/03/05', 'YYYY-MM-DD'), to_date(' 2024-3-5', 'YYYY-MM-DD'), to_date('24-03-05', 'YY-MM-DD'), to_date('99-03-05', 'YY-MM-DD'), to_date('2024-03', 'YYYY-MM'), to_date('2024-03-05 garbage', 'YYYY-MM-DD'), to_date('2024-03', 'YYYY-MM-DD'), to_date('2451545', 'J'), to_date('2024 03 05', 'YYYY MM DD');

-- name: fn_to_timestamp_templates
SELECT to_timestamp('2024-03-05 01:02:03 PM', 'YYYY-MM-DD HH:MI:SS AM'), to_timestamp('2024-03-05T10:11:12.345', 'YYYY-MM-DD"T"HH24:MI:SS.MS'), to_timestamp('2024-03-05 10:11:12.123456', 'YYYY-MM-DD HH24:MI:SS.US'), to_timestamp('2024-03-05 12:00 am', 'YYYY-MM-DD HH12:MI am'), to_timestamp('2024-03-05 10:00', 'YYYY-MM-DD HH24:MI TZ'), to_timestamp(NULL, 'YYYY');

-- name: fn_to_char_round_trip
SELECT id, to_timestamp(to_char(created, 'YYYY-MM-DD HH24:MI:SS'), 'YYYY-MM-DD HH24:MI:SS') = created, to_date(to_char(created, 'DD Mon YYYY'), 'DD Mon YYYY') FROM charges ORDER BY id;

-- name: fn_date_bin_buckets
SELECT date_bin('15 minutes', created, timestamptz '2024-01-01 00:00+00') AS bucket, count(*) FROM charges GROUP BY 1 ORDER BY 1;

-- name: fn_date_bin_weeks_from_monday
SELECT date_bin('7 days', created, timestamptz '2024-01-01 00:00+00') AS week, sum(amount) FROM charges GROUP BY 1 ORDER BY 1;

-- name: fn_date_bin_edges
SELECT date_bin('1 hour', timestamp '2024-01-01 10:00', timestamp '2024-01-01 12:00'), date_bin('1 hour', timestamp '2024-01-01 10:30', timestamp '2024-01-01 12:00'), date_bin('1 day', timestamptz '2024-01-01 10:30+00', timestamptz '2000-01-01'), date_bin('1 day', date '2024-01-05', date '2024-01-01'), date_bin('1 day', '2024-01-05', timestamp '2024-01-01'), date_bin('7 days', timestamp '2023-12-31 23:59', timestamp '2024-01-01'), pg_typeof(date_bin('1 day', date '2024-01-05', date '2024-01-01'));

-- name: fn_isfinite
SELECT isfinite(date '2024-01-01'), isfinite(timestamp '2024-01-01'), isfinite(interval '1 day'), isfinite(created), isfinite(NULL::date) FROM charges WHERE id = '{charges.id#0}';

-- name: fn_to_char_backslash_and_quotes
SELECT to_char(timestamp '2024-03-05 13:04:05', 'YYYY-MM-DD"T"HH24:MI:SS\Z'), to_char(date '2024-03-05', 'YYYY"Q"Q'), to_char(date '2024-03-05', 'FMMonth DD, YYYY');

-- ===== Editing jsonb at a path =====

-- name: fn_jsonb_set_paths
SELECT jsonb_set('{"a":1}', '{b}', '2'), jsonb_set('{"a":{"b":1}}', '{a,c}', '[1]'), jsonb_set('[1,2,3]', '{1}', '9'), jsonb_set('[1,2,3]', '{-1}', '9'), jsonb_set('[1,2,3]', '{10}', '9'), jsonb_set('[1,2,3]', '{-10}', '9'), jsonb_set('{"a":1}', '{b}', '2', false), jsonb_set('{"a":1}', '{x,y}', '2'), jsonb_set('{"a":1}', '{}', '2'), jsonb_set('{"a":1}', '{a,b}', '2');

-- name: fn_jsonb_set_null_value
SELECT jsonb_set('{"a":1}', '{b}', NULL) IS NULL, jsonb_set(NULL, '{b}', '1') IS NULL;

-- name: fn_jsonb_set_metadata_column
SELECT id, jsonb_set(metadata, '{tier}', to_jsonb(currency)), jsonb_set(metadata, '{paid}', to_jsonb(paid), false) FROM charges ORDER BY id;

-- name: fn_jsonb_set_nested_column
SELECT id, jsonb_set(outcome, '{risk_level}', '"reviewed"') #>> '{risk_level}', jsonb_set(outcome, '{extra,x}', '1') = outcome FROM charges ORDER BY id;

-- name: fn_jsonb_insert
SELECT jsonb_insert('[1,2]', '{1}', '9'), jsonb_insert('[1,2]', '{1}', '9', true), jsonb_insert('{"a":1}', '{b}', '2'), jsonb_insert('[1,2]', '{-1}', '9'), jsonb_insert('[1,2]', '{5}', '9'), jsonb_insert('{"a":[1,2]}', '{a,0}', '"x"');

-- name: fn_jsonb_set_lax
SELECT jsonb_set_lax('{"a":1}', '{a}', NULL), jsonb_set_lax('{"a":1}', '{a}', NULL, true, 'return_target'), jsonb_set_lax('{"a":1}', '{a}', NULL, true, 'delete_key'), jsonb_set_lax('{"a":1}', '{b}', '2');

-- name: fn_jsonb_strip_nulls
SELECT jsonb_strip_nulls('{"a":null,"b":[null,{"c":null}]}'), jsonb_strip_nulls('null'), jsonb_strip_nulls('[null]');

-- name: fn_jsonb_strip_nulls_columns
SELECT id, jsonb_strip_nulls(billing_details), jsonb_strip_nulls(outcome) FROM charges ORDER BY id;

-- name: fn_jsonb_delete_path
SELECT '{"a":{"b":1,"c":2}}'::jsonb #- '{a,b}', '[1,[2,3]]'::jsonb #- '{1,0}', '[1,2]'::jsonb #- '{-1}', '{"a":1}'::jsonb #- '{x,y}', '{"a":1}'::jsonb #- '{}';

-- name: fn_jsonb_delete_path_column
SELECT id, billing_details #- '{address,city}', outcome #- '{type}' FROM charges ORDER BY id;

-- ===== Regular expressions =====

-- name: fn_regexp_replace_start_n
SELECT regexp_replace('abcabc', 'b', 'X', 2), regexp_replace('abcabc', 'b', 'X', 1, 2), regexp_replace('abcabc', 'b', 'X', 1, 0), regexp_replace('abcabc', 'B', 'X', 1, 0, 'i'), regexp_replace('abc', '(b)', '[\1]'), regexp_replace('abc', 'b', '\&\&'), regexp_replace('abcb', 'b', 'X', 1, 1, 'g'), regexp_replace('abc', 'b', 'X', 10);

-- name: fn_regexp_replace_flags
SELECT regexp_replace('aAbB', 'a', 'x', 'gi'), regexp_replace('abc', 'b', 'X'), regexp_replace('abc', 'b', 'X', 'g'), regexp_replace('héllo', 'l', 'L', 4);

-- name: fn_regexp_replace_emails
SELECT id, regexp_replace(email, '@.*$', '@redacted'), regexp_replace(email, '[aeiou]', '*', 'g'), regexp_replace(email, '[0-9]+', '#', 1, 1) FROM customers ORDER BY id;

-- name: fn_regexp_split_to_array
SELECT regexp_split_to_array('a1b2c', '[0-9]'), regexp_split_to_array('hello world', '\s+'), regexp_split_to_array('abc', ''), regexp_split_to_array('a,B,c', 'b', 'i'), regexp_split_to_array('', ','), regexp_split_to_array(',a,', ','), regexp_split_to_array('abc', 'x');

-- name: fn_regexp_split_names
SELECT id, regexp_split_to_array(name, '\s+'), (regexp_split_to_array(email, '[@.]'))[2] FROM customers ORDER BY id;

-- name: fn_regexp_count_like
SELECT regexp_count('abcabc', 'b'), regexp_count('abcabc', 'B', 1, 'i'), regexp_count('abcabc', 'b', 3), regexp_like('abc', 'B', 'i'), regexp_like('abc', 'B'), regexp_count('abc', 'b', 10);

-- name: fn_regexp_count_over_column
SELECT id, regexp_count(email, '[aeiou]'), regexp_like(email, '^[a-f]'), regexp_like(name, 'LOVE', 'i') FROM customers ORDER BY id;

-- name: fn_regexp_substr_instr
SELECT regexp_substr('abc123def456', '[0-9]+'), regexp_substr('abc123def456', '[0-9]+', 1, 2), regexp_substr('abc123def456', '([a-z])([0-9])', 1, 1, '', 2), regexp_instr('abc123def', '[0-9]+'), regexp_instr('abc123def', '[0-9]+', 1, 1, 1), regexp_substr('abc', 'x'), regexp_instr('aXbXc', 'x', 1, 2, 0, 'i'), regexp_substr('abc', 'b', 10), regexp_instr('abc', 'b', 10);

-- name: fn_regexp_substr_missing_group
SELECT regexp_instr('héllo wörld', 'w'), regexp_substr('héllo wörld', 'ö.', 2), regexp_substr('abc', '(x)?b', 1, 1, '', 1), regexp_instr('abc', '(x)?b', 1, 1, 0, '', 1), regexp_substr('abc', 'b', 1, 1, '', 5);

-- name: fn_regexp_substr_over_column
SELECT id, regexp_substr(email, '[0-9]+'), regexp_instr(email, '@'), regexp_substr(id, '_(.*)$', 1, 1, '', 1) FROM customers ORDER BY id;

-- ===== Binary strings, hashes, quoting and format =====

-- name: fn_hash_emails
SELECT id, md5(email), md5(email::bytea), encode(sha256(email::bytea), 'hex'), sha512(email::bytea), length(email::bytea), octet_length(name) FROM customers ORDER BY id;

-- name: fn_digests_constants
SELECT sha224('abc'), sha256('abc'), sha384('abc'), sha512(''), md5(''), md5('abc'::bytea), pg_typeof(sha256(''));

-- name: fn_encode_decode
SELECT encode('\x61ff005c'::bytea, 'escape'), encode('\x61ff005c'::bytea, 'hex'), encode('abc'::bytea, 'base64'), decode('YW Jj', 'base64'), decode('6162', 'hex'), decode('a\\b\001c', 'escape'), encode('', 'base64'), encode(NULL::bytea, 'hex');

-- name: fn_encode_base64_line_breaks
SELECT encode(repeat('abcdefghij', 10)::bytea, 'base64'), decode(encode(repeat('xyz', 40)::bytea, 'base64'), 'base64') = repeat('xyz', 40)::bytea;

-- name: fn_encode_ids_base64
SELECT id, encode(id::bytea, 'base64'), decode(encode(id::bytea, 'hex'), 'hex') = id::bytea FROM customers ORDER BY id;

-- name: fn_quote_literal_nullable
SELECT quote_literal(42), quote_literal(true), quote_literal('a\b'), quote_nullable(NULL), quote_nullable(1.5), quote_nullable('it''s'), quote_literal(date '2024-01-01'), quote_literal(NULL::text) IS NULL;

-- name: fn_quote_nullable_columns
SELECT id, quote_nullable(description), quote_literal(amount), quote_nullable(failure_code) FROM charges ORDER BY id;

-- name: fn_format_widths
SELECT format('%-5s|%5s|', 'a', 'b'), format('%*s|%-*s|', 3, 'c', 3, 'd'), format('%*s|', -4, 'x'), format('%5L|%-6I|', 'x', 'y'), format('%5s|', NULL), format('%-10s|', 'héllo'), format('%3$s %1$s', 'a', 'b', 'c');

-- name: fn_format_report_lines
SELECT id, format('%-30s %10s %3s', email, balance, currency), format('INSERT INTO t VALUES (%L, %L)', id, name) FROM customers ORDER BY id;

-- ===== Casts with type modifiers (planner/typmod.go → expr.CastTypeName) =====

-- name: fn_cast_numeric_typmod_money
SELECT id, (amount / 100.0)::numeric(12,2), amount::numeric(10,2), CAST(amount_refunded / 3.0 AS decimal(10,3)) FROM charges ORDER BY id;

-- name: fn_cast_numeric_typmod_rounding
SELECT (1234/100.0)::numeric(10,2), 10::numeric(5,2), 1.005::numeric(5,2), CAST(2.5 AS decimal(6,3)), '3.14159'::numeric(4,2), 1.5::numeric(3), 2.5::numeric(3), (-2.5)::numeric(2), 0.001::numeric(3,3);

-- name: fn_cast_varchar_typmod
SELECT id, email::varchar(5), name::character varying(3) FROM customers ORDER BY id;

-- ===== date(), to_char of intervals, overlay, bit_length, json_array_length =====

-- name: fn_date_of_timestamptz
SELECT date(created) AS day, count(*), sum(amount) FROM charges GROUP BY 1 ORDER BY 1;

-- name: fn_date_function_inputs
SELECT date(timestamptz '2024-01-01 23:00-05'), date('2024-01-05'), date('2024-01-01'::text), date(timestamp '2024-03-05 23:59:59'), date(date '2024-01-01'), pg_typeof(date('2024-01-05'));

-- name: fn_to_char_interval
SELECT to_char(interval '1 day 02:03:04', 'HH24:MI:SS'), to_char(interval '27 hours 5 minutes', 'HH24:MI'), to_char(interval '3 days', 'DD "days"'), to_char(interval '-1 hour', 'HH24:MI'), to_char(interval '1 year 2 mons', 'YYYY-MM'), to_char(interval '100 hours', 'FMHH24 "h"'), to_char(interval '13 hours', 'HH12 HH AM');

-- name: fn_to_char_interval_negative_fields
SELECT to_char(interval '-1 year -2 mons -3 days -04:05:06', 'YYYY MM DD HH24 MI SS'), to_char(interval '1 year 2 mons 3 days 04:05:06.789', 'YYYY YY Y MM DD HH HH12 HH24 MI SS MS US AM pm a.m.');

-- name: fn_to_char_interval_of_ages
SELECT id, to_char(created - timestamptz '2024-01-01 00:00+00', 'DD "d" HH24:MI:SS') FROM charges ORDER BY id;

-- name: fn_overlay_bit_length
SELECT overlay('abcdef' placing 'XX' from 2 for 3), overlay('abcdef' placing 'XX' from 2), overlay('abc' placing 'X' from 2 for -1), overlay('héllo' placing 'É' from 2 for 1), overlay('abc' placing '' from 10), bit_length('héllo'), bit_length('');

-- name: fn_overlay_mask_emails
SELECT id, overlay(email placing '***' from 2 for 3), bit_length(name) FROM customers ORDER BY id;

-- name: fn_json_array_length
SELECT json_array_length('[1,2]'), json_array_length('[]'), json_array_length(NULL::json), json_array_length('[[1],[2,3]]'::json);

-- ===== New aggregates in windows and with FILTER =====

-- name: fn_new_aggregates_as_window_functions
SELECT id, bit_or(amount) OVER (PARTITION BY currency ORDER BY id), regr_count(amount_refunded, amount) OVER (PARTITION BY currency), jsonb_object_agg(status, amount) OVER (PARTITION BY customer ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM charges ORDER BY id;

-- name: fn_new_aggregates_with_filter
SELECT currency, bit_and(amount) FILTER (WHERE paid), jsonb_object_agg(id, amount) FILTER (WHERE refunded), corr(amount_refunded, amount) FILTER (WHERE amount > 1000), count(*) FROM charges GROUP BY currency ORDER BY currency;

-- ===== Text encodings =====

-- name: fn_convert_from_to
SELECT convert_from('\x68c3a9'::bytea, 'UTF8'), convert_from('\x68e9'::bytea, 'LATIN1'), convert_to('hé', 'latin1'), convert_to('hé', 'utf-8'), convert_from('\x41'::bytea, 'SQL_ASCII'), convert_to('hé', 'Utf_8'), convert_from(decode('aMOp', 'base64'), 'UTF8');

-- name: fn_convert_round_trip_names
SELECT id, convert_from(convert_to(name, 'UTF8'), 'UTF8') = name, convert_from(decode(encode(convert_to(email, 'LATIN1'), 'base64'), 'base64'), 'LATIN1') FROM customers ORDER BY id;

-- ===== width_bucket over thresholds =====

-- name: fn_width_bucket_thresholds
SELECT width_bucket(5, ARRAY[1, 3, 6]), width_bucket(0, ARRAY[1, 3, 6]), width_bucket(6, ARRAY[1, 3, 6]), width_bucket(2.5, ARRAY[1, 3, 6]), width_bucket('b', ARRAY['a', 'c']), width_bucket(5, '{}'::int[]), width_bucket(NULL, ARRAY[1]);

-- name: fn_width_bucket_amount_bands
SELECT width_bucket(amount, ARRAY[0, 1000, 5000, 10000, 50000]) AS band, count(*), min(amount), max(amount) FROM charges GROUP BY 1 ORDER BY 1;

-- ===== DISTINCT aggregates list their values in order (PostgreSQL sorts to remove duplicates) =====

-- name: fn_distinct_aggregates_sorted
SELECT customer, array_agg(DISTINCT status), string_agg(DISTINCT currency, ','), jsonb_agg(DISTINCT paid), json_agg(DISTINCT amount_refunded) FROM charges GROUP BY customer ORDER BY customer;

-- name: fn_distinct_aggregates_sorted_constants
SELECT array_agg(DISTINCT x), string_agg(DISTINCT y, ','), jsonb_agg(DISTINCT x), json_agg(DISTINCT y) FROM (VALUES (2, 'b'), (1, 'a'), (2, 'b'), (NULL, NULL)) v(x, y);

-- name: fn_distinct_object_agg
SELECT jsonb_object_agg(DISTINCT k, v), json_object_agg(DISTINCT k, v) FROM (VALUES ('b', 1), ('a', 2), ('b', 1), ('b', 0)) t(k, v);

-- name: fn_distinct_aggregates_explicit_order
SELECT array_agg(DISTINCT x ORDER BY x DESC), string_agg(DISTINCT y, '-' ORDER BY y DESC) FROM (VALUES (2, 'b'), (1, 'a'), (2, 'b')) v(x, y);
