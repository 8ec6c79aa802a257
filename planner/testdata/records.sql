-- name: json_each_text_lateral_after_table
SELECT c.id, m.key, m.value FROM customers c, jsonb_each_text(c.metadata) m WHERE c.email = 'a@example.com';

-- name: json_array_elements_with_ordinality
SELECT pi.id, e.value, e.ordinality FROM payment_intents pi CROSS JOIN LATERAL jsonb_array_elements(pi.payment_method_types) WITH ORDINALITY AS e WHERE pi.id = 'pi_1';

-- name: json_each_constant_no_lateral
SELECT key, value FROM jsonb_each('{"a": 1}'::jsonb);

-- name: object_keys_alias_names_column
SELECT k FROM jsonb_object_keys('{"a": 1}') AS k;

-- name: array_elements_keeps_value_name
SELECT t.value FROM jsonb_array_elements_text('[1]') AS t;

-- name: select_list_srf_with_from
SELECT id, jsonb_object_keys(metadata) FROM customers WHERE id = 'cus_1';

-- name: select_list_srfs_lockstep
SELECT id, jsonb_array_elements_text(payment_method_types) AS t, generate_series(1, 3) AS g FROM payment_intents WHERE id = 'pi_1';

-- name: select_list_composite_fields
SELECT (jsonb_each_text(metadata)).key, (jsonb_each_text(metadata)).value FROM charges WHERE id = 'ch_1';

-- name: select_list_whole_record
SELECT id, jsonb_each(metadata) AS kv FROM customers WHERE id = 'cus_1';

-- name: record_read_by_outer_query
SELECT (r.kv).key AS k FROM (SELECT jsonb_each(metadata) AS kv FROM customers WHERE id = 'cus_1') r WHERE (r.kv).value = '"gold"'::jsonb ORDER BY (r.kv).key;

-- name: rows_from_two_functions
SELECT * FROM ROWS FROM (jsonb_object_keys('{"a": 1}'::jsonb), generate_series(1, 2)) WITH ORDINALITY AS r(k, g, o);

-- name: row_constructor_and_field
SELECT ROW(1, 'x'), (ROW(1, 'x')).f2, (r).* FROM (SELECT ROW(id, amount) AS r FROM charges WHERE id = 'ch_1') s;

-- name: err_field_of_scalar
SELECT (amount).x FROM charges WHERE id = 'ch_1';

-- name: err_unknown_field
SELECT (ROW(1, 2)).f3;

-- name: err_srf_in_grouped_select_list
SELECT customer, jsonb_object_keys(metadata), count(*) FROM charges GROUP BY customer, metadata;

-- name: err_json_each_wrong_type
SELECT * FROM jsonb_each(42);

-- name: err_column_definition_list
SELECT * FROM jsonb_each('{}') AS x(a text, b jsonb);

-- name: err_unsupported_srf
SELECT * FROM regexp_split_to_table('a b', ' ');
