-- name: lookup list per key pushes the customer into charges
SELECT c.email, ch.amount FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.email = 'ada@example.com'
-- name: lookup left join list per key
SELECT c.id, ch.id FROM customers c LEFT JOIN charges ch ON ch.customer = c.id WHERE c.email = 'ada@example.com'
-- name: lookup retrieve per key for few charges
SELECT ch.id, cu.email FROM charges ch JOIN customers cu ON cu.id = ch.customer WHERE ch.payment_intent = 'pi_1'
-- name: lookup reference estimate keeps a 1:1 join under budget
SELECT c.id, b.fee FROM charges c JOIN balance_transactions b ON b.id = c.balance_transaction WHERE c.payment_intent = 'pi_1'
-- name: lookup list per key on refunds.charge
SELECT c.id, r.id, r.amount FROM charges c JOIN refunds r ON r.charge = c.id WHERE c.customer = 'cus_1'
-- name: lookup list per key on invoices.subscription
SELECT s.id, i.id FROM subscriptions s JOIN invoices i ON i.subscription = s.id WHERE s.customer = 'cus_1'
-- name: lookup batches product ids ten per list
SELECT p.id, pr.name FROM prices p JOIN products pr ON pr.id = p.product WHERE p.lookup_key IN ('a', 'b', 'c')
-- name: lookup keeps the right table's own filter
SELECT c.id, ch.id FROM customers c JOIN charges ch ON ch.customer = c.id AND ch.created >= '2024-01-01' WHERE c.email = 'ada@example.com'
-- name: hash join when both sides are large
SELECT c.id, ch.id FROM customers c JOIN charges ch ON ch.customer = c.id
-- set: stripesql.max_requests = 100000
-- name: hash join with pushdown off lists both sides
SELECT c.email, ch.amount FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.email = 'ada@example.com'
-- set: stripesql.pushdown = off
-- set: stripesql.max_requests = 100000
-- name: lookup required list filter stays a list per key
SELECT s.id, si.id FROM subscriptions s JOIN subscription_items si ON si.subscription = s.id WHERE s.customer = 'cus_1'
-- name: lookup constant key derived stays a plain list
SELECT c.id, ch.id FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.id = 'cus_1'
-- name: equality on a reference column estimates a few rows
SELECT id FROM refunds WHERE charge = 'ch_1'
-- name: equality on a non-reference column keeps the default selectivity
SELECT id FROM charges WHERE transfer_group = 'g1'
-- name: top n newest first with a residual filter lists and stops
SELECT id, amount FROM charges WHERE status = 'succeeded' ORDER BY created DESC LIMIT 5
-- name: top n without order by over a search stops early
SELECT id FROM charges WHERE status = 'succeeded' LIMIT 5
-- name: no limit keeps the search
SELECT id FROM charges WHERE status = 'succeeded' ORDER BY created DESC
