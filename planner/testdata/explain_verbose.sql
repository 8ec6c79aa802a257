-- name: explain select star prints no output list
EXPLAIN SELECT * FROM customers WHERE email = 'a@example.com'
-- name: explain verbose select star prints the output list
EXPLAIN VERBOSE SELECT * FROM customers WHERE email = 'a@example.com'
-- name: explain verbose with options
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*), sum(amount) FROM charges WHERE customer = 'cus_1'
-- name: explain verbose off
EXPLAIN (VERBOSE OFF) SELECT id FROM charges WHERE customer = 'cus_1'
-- name: explain analyze off plans without running
EXPLAIN (ANALYZE OFF, VERBOSE TRUE) SELECT id FROM charges WHERE customer = 'cus_1'
