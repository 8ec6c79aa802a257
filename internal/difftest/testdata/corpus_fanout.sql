-- Child tables that Stripe lists only under a parent (invoice lines, subscription items, tax ids),
-- queried without naming the parent: listed once per parent. Format: see corpus.sql.

-- name: fanout_invoice_lines_count
SELECT count(*) AS n, sum(amount) AS amount FROM invoice_line_items;

-- name: fanout_invoice_lines_filtered
SELECT id, amount, currency FROM invoice_line_items WHERE amount > 2000;

-- name: fanout_invoice_lines_by_price
SELECT price, count(*) AS n FROM invoice_line_items GROUP BY price;

-- name: fanout_subscription_items
SELECT id, subscription, price, quantity FROM subscription_items;

-- name: fanout_tax_ids
SELECT customer, type, value FROM tax_ids;

-- name: fanout_customer_balance_transactions
SELECT customer, amount, type FROM customer_balance_transactions;

-- name: fanout_right_join_subscription_items
SELECT s.id AS subscription, s.status, si.id AS item FROM subscription_items si RIGHT JOIN subscriptions s ON s.id = si.subscription;

-- name: fanout_lines_join_invoices
SELECT i.status, count(l.id) AS lines, sum(l.amount) AS amount FROM invoice_line_items l JOIN invoices i ON i.id = l.invoice GROUP BY i.status;
