-- Lookup joins: the inner table read per key (a retrieve by id, a list filtered by the key, or a
-- list of up to 10 ids) instead of listed whole. With pushdown off every table is listed and the
-- join is hashed locally, so a wrong lookup shows as a different answer.

-- name: lookup_charges_of_customer_by_email
SELECT c.id, ch.id, ch.amount FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.email = '{customers.email#4}' ORDER BY ch.id;

-- name: lookup_left_charges_of_customer_by_email
SELECT c.id, ch.id FROM customers c LEFT JOIN charges ch ON ch.customer = c.id WHERE c.email = '{customers.email#7}' ORDER BY c.id, ch.id;

-- name: lookup_customer_of_charges_by_payment_intent
SELECT ch.id, cu.id, cu.email FROM charges ch JOIN customers cu ON cu.id = ch.customer WHERE ch.payment_intent = '{charges.payment_intent#2}' ORDER BY ch.id;

-- name: lookup_balance_transaction_of_payment_intent
SELECT c.id, b.id, b.amount, b.fee FROM charges c JOIN balance_transactions b ON b.id = c.balance_transaction WHERE c.payment_intent = '{charges.payment_intent#5}' ORDER BY c.id;

-- name: lookup_refunds_per_charge_of_customer
SELECT c.id, r.id, r.amount FROM charges c JOIN refunds r ON r.charge = c.id WHERE c.id IN ('{refunds.charge#0}', '{refunds.charge#1}', '{charges.id#4}') ORDER BY r.id;

-- name: lookup_refunds_left_per_charge
SELECT c.id, r.id FROM charges c LEFT JOIN refunds r ON r.charge = c.id WHERE c.customer = '{charges.customer#3}' ORDER BY c.id, r.id;

-- name: lookup_invoices_per_subscription
SELECT s.id, i.id, i.amount_due FROM subscriptions s JOIN invoices i ON i.subscription = s.id WHERE s.customer = '{subscriptions.customer#1}' ORDER BY i.id;

-- name: lookup_products_of_active_prices
SELECT p.id, pr.id, pr.name FROM prices p JOIN products pr ON pr.id = p.product WHERE p.active ORDER BY p.id;

-- name: lookup_charges_per_customer_with_own_filter
SELECT c.id, ch.id FROM customers c JOIN charges ch ON ch.customer = c.id AND ch.amount > 1000 WHERE c.email = '{customers.email#2}' ORDER BY ch.id;

-- name: lookup_charges_per_customer_counted
SELECT c.email, count(ch.id), sum(ch.amount) FROM customers c LEFT JOIN charges ch ON ch.customer = c.id WHERE c.email IN ('{customers.email#1}', '{customers.email#2}', '{customers.email#3}') GROUP BY c.email ORDER BY c.email;

-- name: lookup_newest_succeeded_charges
SELECT id, amount FROM charges WHERE status = 'succeeded' ORDER BY created DESC, id LIMIT 5;
