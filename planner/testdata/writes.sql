-- name: explain insert values
EXPLAIN INSERT INTO customers (email, name, metadata) VALUES ('a@example.com', 'Ann', '{"tier":"gold"}'), ('b@example.com', NULL, NULL)
-- name: explain insert with params
-- args: 2000|usd
EXPLAIN INSERT INTO payment_intents (amount, currency) VALUES ($1, $2) RETURNING id, status
-- name: explain insert nested items
EXPLAIN INSERT INTO subscriptions (customer, items) VALUES ('cus_1', '[{"price":"price_1","quantity":2}]')
-- name: explain insert into child table
EXPLAIN INSERT INTO tax_ids (customer, type, value) VALUES ('cus_1', 'eu_vat', 'DE123456789')
-- name: explain insert select
EXPLAIN INSERT INTO customers (email) SELECT email FROM customers WHERE email = 'a@b.c'
-- name: explain update by id
EXPLAIN UPDATE customers SET metadata = '{"tier":"platinum","old":null}', description = NULL WHERE id = 'cus_1'
-- name: explain update by id list
EXPLAIN UPDATE customers SET name = 'x' WHERE id IN ('cus_1', 'cus_2')
-- name: explain update by filter
EXPLAIN UPDATE customers SET description = 'vip' WHERE email = 'a@b.c' RETURNING id
-- name: explain update reading the row
EXPLAIN UPDATE customers SET metadata = metadata || '{"k":"v"}' WHERE id = 'cus_1'
-- name: explain delete customer
EXPLAIN DELETE FROM customers WHERE id = 'cus_1'
-- name: explain delete subscription cancels
EXPLAIN DELETE FROM subscriptions WHERE id = 'sub_1'
-- name: explain delete by filter
EXPLAIN DELETE FROM subscriptions WHERE customer = 'cus_1' AND status = 'active'
-- name: explain call
EXPLAIN CALL ConfirmPaymentIntent('pi_1', ReturnUrl => 'https://example.com/back');
-- name: explain analyze call refused
EXPLAIN ANALYZE CALL CapturePaymentIntent('pi_1')
-- name: explain call syntax error
EXPLAIN CALL ConfirmPaymentIntent('pi_1'
-- name: explain select from procedure with named argument
EXPLAIN SELECT * FROM ConfirmPaymentIntent('pi_1', ReturnUrl => 'https://example.com/back')
-- name: explain select from procedure
EXPLAIN SELECT * FROM acceptquote('qt_1')
-- name: dry run insert
-- set: stripesql.dry_run = on
INSERT INTO customers (email) VALUES ('dry@example.com') RETURNING id
-- name: dry run call
-- set: stripesql.dry_run = on
CALL CapturePaymentIntent('pi_1')
-- name: dry run delete
-- set: stripesql.dry_run = on
DELETE FROM customers WHERE id = 'cus_9'
-- name: explain analyze write refused
EXPLAIN ANALYZE INSERT INTO customers (email) VALUES ('x@example.com')
-- name: insert unknown column
INSERT INTO customers (email, colour) VALUES ('a@b.c', 'red')
-- name: insert read-only column
INSERT INTO customers (email, created) VALUES ('a@b.c', now())
-- name: insert missing required
INSERT INTO payment_intents (amount) VALUES (100)
-- name: insert missing parent
INSERT INTO tax_ids (type, value) VALUES ('eu_vat', 'DE1')
-- name: insert without column list
INSERT INTO customers VALUES ('cus_1')
-- name: insert too many values
INSERT INTO customers (email) VALUES ('a', 'b')
-- name: insert bad type
INSERT INTO payment_intents (amount, currency) VALUES ('lots', 'usd')
-- name: insert on conflict
INSERT INTO customers (email) VALUES ('a@b.c') ON CONFLICT DO NOTHING
-- name: insert into table without create
INSERT INTO balance_transactions (amount) VALUES (1)
-- name: update read-only column
UPDATE customers SET created = now() WHERE id = 'cus_1'
-- name: update unknown column
UPDATE customers SET colour = 'red' WHERE id = 'cus_1'
-- name: update without where
UPDATE customers SET name = 'x'
-- name: update over budget
UPDATE charges SET description = 'x' WHERE true
-- name: delete without delete endpoint
DELETE FROM payment_intents WHERE id = 'pi_1'
-- name: delete invoice item
EXPLAIN DELETE FROM invoiceitems WHERE id = 'ii_1'
-- name: call unknown procedure
CALL ConfirmPaymentIntnet('pi_1')
-- name: call missing argument
CALL AttachPaymentMethodToCustomer('pm_1')
-- name: call unknown named argument
CALL ConfirmPaymentIntent('pi_1', Colour => 'red')
-- name: set idempotency key too long
SET stripesql.idempotency_key = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
-- name: set idempotency key
SET stripesql.idempotency_key = 'order-4711'
