-- name: scalar subquery pushed as a placeholder until its init plan runs
SELECT id, amount FROM charges WHERE customer = (SELECT id FROM customers WHERE email = 'a@b.c')
-- name: in subquery on a key column
SELECT id FROM charges WHERE customer IN (SELECT id FROM customers WHERE email = 'a@b.c')
-- name: not in subquery stays a filter
SELECT id FROM customers WHERE id NOT IN (SELECT customer FROM subscriptions)
-- name: correlated scalar subquery in the select list
SELECT c.id, (SELECT count(*) FROM charges ch WHERE ch.customer = c.id) AS n FROM customers c
-- name: correlated exists
SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM charges ch WHERE ch.customer = c.id AND ch.status = 'failed')
-- name: correlated not exists
-- set: stripesql.max_requests = 100000
SELECT ch.id FROM charges ch WHERE ch.refunded AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.charge = ch.id)
-- name: uncorrelated scalar in the select list
-- set: stripesql.max_requests = 100000
SELECT id, (SELECT max(amount) FROM charges) AS biggest FROM refunds
-- name: any and all with operators
-- set: stripesql.max_requests = 100000
SELECT id FROM charges WHERE amount > ALL (SELECT amount FROM refunds) AND amount < ANY (SELECT amount FROM refunds)
-- name: scalar subquery with two columns
SELECT (SELECT id, email FROM customers)
-- name: outer reference in a grouped query must be grouped
SELECT customer, (SELECT count(*) FROM refunds r WHERE r.charge = ch.id) FROM charges ch GROUP BY customer
-- name: unknown column inside a subquery
SELECT id FROM customers WHERE EXISTS (SELECT 1 FROM charges WHERE nosuch = 1)
-- name: array subquery
SELECT ARRAY(SELECT id FROM customers WHERE email = 'a@b.c')
-- name: parameter inside a subquery
-- args: a@b.c
SELECT id FROM charges WHERE customer = (SELECT id FROM customers WHERE email = $1)
-- name: subquery column names
SELECT (SELECT max(amount) FROM charges WHERE customer = 'cus_1'), EXISTS (SELECT 1 FROM customers WHERE id = 'cus_1')
-- name: init plans count against the budget
SELECT id, (SELECT max(amount) FROM charges) AS biggest FROM refunds
-- name: lateral join with the outer key pushed down
SELECT c.id, l.id AS latest FROM customers c CROSS JOIN LATERAL (SELECT id FROM charges ch WHERE ch.customer = c.id ORDER BY created DESC LIMIT 1) l WHERE c.email = 'a@b.c'
-- name: left join lateral
SELECT c.id, l.n FROM customers c LEFT JOIN LATERAL (SELECT count(*) AS n FROM charges ch WHERE ch.customer = c.id) l ON l.n > 1 WHERE c.email = 'a@b.c'
