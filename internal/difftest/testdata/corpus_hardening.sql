-- Differential corpus of the QA fixes (hardening): named arguments of the make_* functions, and
-- the length-checked string builders at sizes well under the 1 GB value limit. Format as corpus.sql.

-- name: hardening_make_interval_named
SELECT make_interval(days => 3), make_interval(hours => 2, mins => 30), make_interval(1, days => 2, secs => 1.5);

-- name: hardening_make_date_named
SELECT make_date(year => 2024, month => 2, day => 29), make_date(2024, day => 1, month => 3);

-- name: hardening_make_timestamp_named
SELECT make_timestamp(2024, 1, 2, hour => 3, min => 4, sec => 5.5);

-- name: hardening_named_args_over_rows
SELECT id, make_interval(days => (amount % 7)::int) AS d FROM charges ORDER BY id LIMIT 5;

-- name: hardening_pad_repeat
SELECT lpad('x', 5, 'ab'), rpad('é', 4, 'ü'), length(repeat('ab', 1000)), length(rpad('', 3000, 'xyz')), lpad('abc', 2);

-- name: hardening_string_builders
SELECT format('%10s|%-6s|', 'a', 'b'), replace('aXbXc', 'X', '--'), concat_ws('-', 'a', NULL, 'c'), overlay('abcdef' placing 'ZZ' from 2 for 3);

-- name: hardening_string_agg_under_limit
SELECT length(string_agg(id, ',' ORDER BY id)), count(*) FROM charges;
