-- Differential corpus: composite (record) values and set-returning functions — the JSON functions
-- on Stripe's metadata and nested arrays, in FROM (LATERAL after a table) and in the select list
-- (PostgreSQL 10+ semantics: several functions in one list run in lockstep, the shorter padded
-- with NULLs), _pg_expandarray as JDBC's getPrimaryKeys reads it, ROW(…) and (r).field.
-- Format as in corpus.sql.

-- ===== JSON functions in FROM, LATERAL after a table =====

-- name: rec_customer_metadata_each_text
SELECT c.id, m.key, m.value FROM customers c, jsonb_each_text(c.metadata) m ORDER BY c.id, m.key;

-- name: rec_customer_metadata_each_jsonb
SELECT c.id, m.key, m.value FROM customers c CROSS JOIN LATERAL jsonb_each(c.metadata) AS m ORDER BY c.id, m.key;

-- name: rec_charge_metadata_channel_counts
SELECT m.value AS channel, count(*) AS n FROM charges ch, jsonb_each_text(ch.metadata) m WHERE m.key = 'channel' GROUP BY m.value ORDER BY channel;

-- name: rec_metadata_key_frequency
SELECT k, count(*) AS n FROM customers, jsonb_object_keys(metadata) AS k GROUP BY k ORDER BY k;

-- name: rec_payment_method_types_elements
SELECT pi.id, t.value FROM payment_intents pi, jsonb_array_elements_text(pi.payment_method_types) AS t WHERE pi.id = '{payment_intents.id#2}' ORDER BY pi.id, t.value;

-- name: rec_payment_method_types_jsonb_with_ordinality
SELECT pi.id, e.value, e.ordinality FROM payment_intents pi, jsonb_array_elements(pi.payment_method_types) WITH ORDINALITY AS e WHERE pi.id IN ('{payment_intents.id#1}', '{payment_intents.id#4}') ORDER BY pi.id, e.ordinality;

-- name: rec_left_join_lateral_each
SELECT c.id, m.key FROM customers c LEFT JOIN LATERAL jsonb_each_text(c.metadata) m ON true ORDER BY c.id, m.key;

-- name: rec_each_constant_document
SELECT key, value FROM jsonb_each('{"b": [1, 2], "a": {"x": null}, "ccc": "t", "dd": 1.50}'::jsonb) ORDER BY key;

-- name: rec_json_each_keeps_order
SELECT key, value FROM json_each('{"z": 1, "a": [true, "x y"], "m": null}'::json);

-- name: rec_json_each_text_nulls
SELECT key, value, value IS NULL AS is_null FROM json_each_text('{"a": null, "b": "str", "c": {"d": 1}}') ORDER BY key;

-- name: rec_array_elements_text_mixed
SELECT value FROM jsonb_array_elements_text('[1, "two", null, {"x": 3}, [4]]'::jsonb) WITH ORDINALITY AS t(value, n) ORDER BY n;

-- name: rec_json_object_keys_duplicates
SELECT json_object_keys('{"b": 1, "a": 2, "b": 3}'::json);

-- name: rec_rows_from_lockstep
SELECT * FROM ROWS FROM (jsonb_object_keys('{"a": 1, "b": 2, "c": 3}'::jsonb), generate_series(1, 2)) AS r(k, g) ORDER BY k;

-- ===== Set-returning functions in a select list with FROM =====

-- name: rec_select_list_object_keys
SELECT id, jsonb_object_keys(metadata) FROM customers ORDER BY id, 2;

-- name: rec_select_list_each_text_fields
SELECT id, (jsonb_each_text(metadata)).key AS k, (jsonb_each_text(metadata)).value AS v FROM charges WHERE metadata <> '{}' ORDER BY id, k;

-- name: rec_select_list_lockstep_padding
SELECT id, jsonb_array_elements_text(payment_method_types) AS t, generate_series(1, 3) AS g FROM payment_intents WHERE id = '{payment_intents.id#3}' ORDER BY g;

-- name: rec_select_list_unnest_with_from
SELECT id, unnest(ARRAY['x', 'y']) AS u FROM customers WHERE id IN ('{customers.id#0}', '{customers.id#1}') ORDER BY id, u;

-- name: rec_select_list_generate_series_with_from
SELECT id, generate_series(1, 2) AS g FROM products ORDER BY id, g;

-- name: rec_select_list_whole_record
SELECT id, jsonb_each(metadata) AS kv FROM customers WHERE metadata <> '{}' ORDER BY id, kv;

-- name: rec_select_list_srf_no_from
SELECT jsonb_array_elements('[1, [2], {"a": "b"}]'::jsonb) AS e, generate_series(1, 4) AS g;

-- name: rec_select_list_srf_in_expression
SELECT id, upper(jsonb_object_keys(metadata)) AS k FROM customers WHERE metadata <> '{}' ORDER BY id, k;

-- name: rec_select_list_srf_distinct
SELECT DISTINCT jsonb_object_keys(metadata) AS k FROM charges ORDER BY k;

-- ===== _pg_expandarray and records =====

-- name: rec_expandarray_in_from
SELECT * FROM information_schema._pg_expandarray(ARRAY[10, 20, 30]) ORDER BY n;

-- name: rec_expandarray_fields_in_select_list
SELECT (information_schema._pg_expandarray(ARRAY['a', 'b'])).x, (information_schema._pg_expandarray(ARRAY['a', 'b'])).n;

-- name: rec_expandarray_record_read_outside
SELECT (r.keys).x AS x, (r.keys).n AS n FROM (SELECT information_schema._pg_expandarray(ARRAY[5, 7]) AS keys) r ORDER BY 2;

-- name: rec_row_text_output
SELECT ROW(1, 'a b', NULL, '', 'q"b\c', 'x,y', '(p)') AS r;

-- name: rec_row_of_columns
SELECT id, ROW(id, amount, currency) AS r FROM charges WHERE id = '{charges.id#5}';

-- name: rec_row_field_and_star
SELECT (t.r).f2 AS second, (t.r).* FROM (SELECT ROW(id, amount) AS r FROM charges WHERE id = '{charges.id#6}') t;

-- name: rec_row_distinct_order
SELECT DISTINCT ROW(currency, status) AS r FROM charges ORDER BY r;

-- name: rec_row_comparisons
SELECT ROW(1, NULL) = ROW(1, NULL) AS a, (1, 2) < (1, 3) AS b, (2, NULL) > (1, 5) AS c, (1, NULL) < (1, 3) AS d, (1, 2) <> (1, 2) AS e, (1, 'x') AS r;

-- name: rec_row_comparison_filter
SELECT id, currency, amount FROM charges WHERE (currency, amount) >= ('usd', 5000) AND (currency, amount) < ('usd', 6000) ORDER BY id;
