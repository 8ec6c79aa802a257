-- name: right join after a join keeps every refund
SELECT c.email, ch.id, r.id FROM customers c JOIN charges ch ON ch.customer = c.id AND c.id = 'cus_1' RIGHT JOIN refunds r ON r.charge = ch.id WHERE r.charge = 'ch_1'
-- name: right join does not push its on clause into the preserved side
SELECT c.id, ch.id FROM customers c JOIN charges ch ON ch.customer = c.id AND c.id = 'cus_1' RIGHT JOIN refunds r ON r.charge = ch.id AND r.amount > 100 WHERE r.created > '2024-06-01'
-- name: full join
SELECT r.id, d.id FROM refunds r FULL JOIN disputes d ON d.charge = r.charge
-- name: full join keeps where above the join
SELECT r.id, d.id FROM refunds r FULL JOIN disputes d ON d.charge = r.charge AND d.status = 'lost' WHERE r.charge = 'ch_1'
-- name: full join using is refused with a hint
SELECT charge FROM refunds r FULL JOIN disputes d USING (charge)
-- name: full join is never a lookup
-- set: stripesql.max_requests = 5000
SELECT ch.id, c.id FROM charges ch FULL JOIN customers c ON c.id = ch.customer WHERE ch.id = 'ch_1'
-- name: inner join nested on the right is flattened
SELECT c.email, ch.id, r.id FROM customers c JOIN (charges ch JOIN refunds r ON r.charge = ch.id) ON ch.customer = c.id WHERE c.id = 'cus_1'
-- name: left join of a nested join
SELECT c.id, ch.id, r.id FROM customers c LEFT JOIN (charges ch JOIN refunds r ON r.charge = ch.id AND ch.customer = 'cus_1') ON ch.customer = c.id WHERE c.id = 'cus_1'
-- name: nested join columns keep their tables
-- set: stripesql.max_requests = 5000
SELECT ch.amount, r.amount, c.email FROM customers c LEFT JOIN (charges ch LEFT JOIN refunds r ON r.charge = ch.id) ON ch.customer = c.id AND ch.customer = 'cus_1' WHERE c.id = 'cus_1' AND r.id IS NULL
-- name: nested join alias used twice
SELECT 1 FROM customers c LEFT JOIN (charges c JOIN refunds r ON true) ON true
-- name: lateral under a right join
SELECT 1 FROM customers c RIGHT JOIN LATERAL (SELECT c.id) t ON true
-- name: child table without its parent is listed under every parent
-- set: stripesql.max_requests = 50000
SELECT id, amount, price FROM invoice_line_items WHERE amount > 1000
-- name: child table joined without its parent key
SELECT p.nickname, count(*) FROM invoice_line_items l JOIN prices p ON p.id = l.price GROUP BY 1
-- name: required filter fanned out when the join does not give it
SELECT si.id, s.status FROM subscription_items si RIGHT JOIN subscriptions s ON s.id = si.subscription
-- name: persons are listed under every account
SELECT * FROM persons
-- name: empty id sends nothing
SELECT id FROM customers WHERE id = ''
-- name: empty list filter stays with the engine
SELECT count(*) FROM charges WHERE customer = '' AND created > '2024-06-01'
