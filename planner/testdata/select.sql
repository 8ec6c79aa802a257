-- name: retrieve by id
SELECT * FROM customers WHERE id = 'cus_123'
-- name: retrieve by id in
SELECT id, email FROM customers WHERE id IN ('cus_1', 'cus_2', 'cus_1')
-- name: retrieve with residual
SELECT id FROM customers WHERE id = 'cus_1' AND email = 'a@b.c'
-- name: list by email
SELECT * FROM customers WHERE email = 'a@b.c'
-- name: list by customer and created
SELECT * FROM charges WHERE customer = 'cus_1' AND created >= '2024-01-01'
-- name: created range merge
SELECT id FROM charges WHERE created >= '2024-01-01' AND created < '2024-02-01' AND created > '2023-12-15'
-- name: created between
SELECT id FROM charges WHERE created BETWEEN '2024-01-01' AND '2024-01-31 23:59:59'
-- name: created relative to now
SELECT id FROM charges WHERE created > now() - interval '30 days'
-- name: created to_timestamp
SELECT id FROM charges WHERE created >= to_timestamp(1704067200)
-- name: created equality
SELECT id FROM charges WHERE created = '2024-01-01 00:00:00+00'
-- name: created fractional seconds push the whole-second bound
SELECT id FROM charges WHERE created > '2024-01-01 00:00:00.5+00'
-- name: created fractional upper bound
SELECT id FROM charges WHERE created <= '2024-01-01 00:00:00.5+00' AND created >= '2023-12-01'
-- name: created fractional equality stays residual
SELECT id FROM customers WHERE created = '2024-01-01 00:00:00.5+00'
-- name: created gte now minus interval (issue literal form)
SELECT id FROM customers WHERE created >= now() - interval '60 days'
-- name: created gte current_timestamp and statement_timestamp
SELECT id FROM customers WHERE created >= current_timestamp - interval '60 days' AND created < statement_timestamp()
-- name: reversed comparison
SELECT id FROM charges WHERE '2024-01-01' <= created
-- name: in on list filter fans out
SELECT id, amount FROM charges WHERE customer IN ('cus_1', 'cus_2', 'cus_3')
-- name: status on subscriptions
SELECT id FROM subscriptions WHERE status = 'active'
-- name: subscriptions keep status all
SELECT id FROM subscriptions
-- name: payment intents by customer
SELECT id, amount, status FROM payment_intents WHERE customer = 'cus_9'
-- name: full list
SELECT id FROM customers
-- name: full list charges
SELECT id, amount FROM charges
-- name: residual only
SELECT id FROM charges WHERE amount > 1000
-- name: order created desc limit
SELECT id FROM charges ORDER BY created DESC LIMIT 5
-- name: order created desc limit with filter
SELECT id FROM charges WHERE customer = 'cus_1' ORDER BY created DESC LIMIT 3
-- name: order created asc limit needs sort
SELECT id FROM charges ORDER BY created ASC LIMIT 5
-- name: limit without order
SELECT id FROM customers LIMIT 10
-- name: limit offset
SELECT id FROM customers LIMIT 10 OFFSET 5
-- name: limit over page size
SELECT id FROM customers LIMIT 250
-- name: limit with residual
SELECT id FROM charges WHERE amount > 500 LIMIT 5
-- name: limit zero
SELECT id FROM charges LIMIT 0
-- name: limit param
-- args: 7
SELECT id FROM customers LIMIT $1
-- name: limit all
SELECT id FROM customers LIMIT ALL
-- name: search ilike
SELECT * FROM customers WHERE name ILIKE '%smith%'
-- name: search like
SELECT id FROM customers WHERE email LIKE '%example%'
-- name: search short pattern falls back to list
SELECT id FROM customers WHERE name ILIKE '%ab%'
-- name: search prefix pattern falls back to list
SELECT id FROM customers WHERE name ILIKE 'smith%'
-- name: search metadata
SELECT id FROM customers WHERE metadata->>'plan' = 'pro'
-- name: search metadata on charges
SELECT id FROM charges WHERE metadata->>'order_id' = '6735'
-- name: search or
SELECT id FROM customers WHERE name ILIKE '%smith%' OR email ILIKE '%smith%'
-- name: search escapes quotes
SELECT id FROM customers WHERE name ILIKE '%o"bri\en%'
-- name: search metadata escapes
SELECT id FROM customers WHERE metadata->>'k''ey' = 'va''lue'
-- name: search numeric
SELECT id FROM charges WHERE amount > 100000 AND status = 'failed'
-- name: search json path
SELECT id FROM charges WHERE payment_method_details->'card'->>'last4' = '4242'
-- name: search bool
SELECT id FROM products WHERE name ILIKE '%widget%' AND active = true
-- name: search with list filter prefers list
SELECT id FROM charges WHERE customer = 'cus_1' AND amount > 100
-- name: pushdown off full list
-- set: stripesql.pushdown = off
SELECT * FROM charges WHERE customer = 'cus_1' AND created >= '2024-01-01'
-- name: pushdown off id
-- set: stripesql.pushdown = off
SELECT * FROM customers WHERE id = 'cus_1'
-- name: pushdown off search
-- set: stripesql.pushdown = off
SELECT id FROM customers WHERE name ILIKE '%smith%'
-- name: child table needs parent
SELECT * FROM tax_ids
-- name: child table with parent
SELECT id, value FROM tax_ids WHERE customer = 'cus_1'
-- name: child table with parent in
SELECT id FROM tax_ids WHERE customer IN ('cus_1', 'cus_2')
-- name: child retrieve
SELECT id FROM tax_ids WHERE customer = 'cus_1' AND id = 'txi_1'
-- name: invoice lines
SELECT id, amount FROM invoice_line_items WHERE invoice = 'in_1'
-- name: params
-- args: cus_1|2024-01-01
SELECT id FROM charges WHERE customer = $1 AND created >= $2
-- name: param id
-- args: cus_42
SELECT email FROM customers WHERE id = $1
-- name: count star budget
SELECT count(*) FROM balance_transactions
-- name: count star raised budget
-- set: stripesql.max_requests = 2000
SELECT count(*) FROM balance_transactions
-- name: budget hint for events
SELECT * FROM events
-- name: count star charges
SELECT count(*) FROM charges
-- name: group by
SELECT currency, count(*), sum(amount) FROM charges GROUP BY currency
-- name: group by ordinal
SELECT status, count(*) FROM charges GROUP BY 1 ORDER BY 2 DESC
-- name: group by alias
SELECT upper(currency) AS cur, max(amount) FROM charges GROUP BY cur
-- name: group by expression
SELECT date_trunc('month', created), count(*) FROM charges GROUP BY date_trunc('month', created)
-- name: having
SELECT customer, count(*) FROM charges GROUP BY customer HAVING count(*) > 5
-- name: aggregate filter
SELECT count(*) FILTER (WHERE refunded), count(DISTINCT customer) FROM charges
-- name: aggregates mixed
SELECT min(created), max(created), avg(amount), bool_or(paid), string_agg(id, ',') FROM charges WHERE customer = 'cus_1'
-- name: grouping error
SELECT id, count(*) FROM charges
-- name: aggregate in where
SELECT id FROM charges WHERE count(*) > 1
-- name: distinct
SELECT DISTINCT currency FROM charges
-- name: distinct order
SELECT DISTINCT currency FROM charges ORDER BY currency
-- name: distinct order not in list
SELECT DISTINCT currency FROM charges ORDER BY amount
-- name: distinct on
SELECT DISTINCT ON (customer) customer, id FROM charges ORDER BY customer, created DESC
-- name: order by expression
SELECT id FROM charges ORDER BY amount * 2 DESC NULLS LAST
-- name: order by alias
SELECT id, amount AS a FROM charges ORDER BY a
-- name: order by ordinal
SELECT id, amount FROM charges ORDER BY 2 DESC, 1
-- name: order by ordinal out of range
SELECT id FROM charges ORDER BY 3
-- name: order nulls first
SELECT id FROM customers ORDER BY email NULLS FIRST
-- name: unknown table
SELECT * FROM custmers
-- name: unknown column
SELECT emial FROM customers
-- name: unknown qualified column
SELECT c.nmae FROM customers c
-- name: bad alias reference
SELECT customers.id FROM customers c
-- name: alias
SELECT c.id, c.email FROM customers AS c WHERE c.email = 'x@y.z'
-- name: star qualified
SELECT c.* FROM customers c WHERE c.id = 'cus_1'
-- name: schema qualified
SELECT id FROM public.customers WHERE id = 'cus_1'
-- name: select constants
SELECT 1, 'a' AS b, 2.5, NULL
-- name: select expression no from
SELECT 1 + 2 * 3 AS x, upper('abc')
-- name: values
VALUES (1, 'a'), (2, 'b')
-- name: where not boolean
SELECT id FROM customers WHERE 1
-- name: join unsupported
SELECT * FROM customers JOIN charges ON charges.customer = customers.id
-- name: subquery unsupported
SELECT id FROM customers WHERE id IN (SELECT customer FROM charges)
-- name: syntax error
SELEC 1
-- name: jsonb column access
SELECT id, metadata->>'plan' AS plan FROM customers WHERE created > '2024-03-01'
-- name: expandable column filter
SELECT id, customer FROM charges WHERE payment_intent = 'pi_1'
-- name: null comparison not pushed
SELECT id FROM charges WHERE customer = NULL
-- name: is null residual
SELECT id FROM charges WHERE customer IS NULL
-- name: or not searchable
SELECT id FROM charges WHERE customer = 'cus_1' OR amount > 5
-- name: not in residual
SELECT id FROM charges WHERE customer NOT IN ('cus_1')
-- name: two equalities
SELECT id FROM charges WHERE customer = 'cus_1' AND customer = 'cus_2'
-- name: explain
EXPLAIN SELECT id FROM charges WHERE customer = 'cus_1'
-- name: explain over budget still shown
EXPLAIN SELECT count(*) FROM balance_transactions
-- name: show
SHOW stripesql.max_requests
-- name: show pushdown
SHOW stripesql.pushdown
-- name: show unknown
SHOW nosuch
-- name: set
SET stripesql.max_requests = 50
-- name: set unknown
SET nosuch = 1
-- name: set bad value
SET stripesql.pushdown = maybe
-- name: begin
BEGIN
-- name: commit
COMMIT
-- name: insert unsupported here
INSERT INTO customers (email) VALUES ('a@b.c')
-- name: window unsupported
SELECT id, row_number() OVER () FROM customers
-- name: case and coalesce
SELECT id, CASE WHEN amount > 100 THEN 'big' ELSE 'small' END, coalesce(description, '-') FROM charges WHERE customer = 'cus_1'
-- name: cast
SELECT amount::numeric / 100 AS dollars FROM charges WHERE id = 'ch_1'
-- name: subscription items by subscription
SELECT id FROM subscription_items WHERE subscription = 'sub_1'
-- name: prices by product and active
SELECT id FROM prices WHERE product = 'prod_1' AND active
-- name: invoices by status and due date
SELECT id FROM invoices WHERE status = 'open' AND due_date < '2024-07-01'
-- name: learned stats none
SELECT id FROM refunds WHERE charge = 'ch_1'
-- name: count star over lowered budget
-- set: stripesql.max_requests = 100
SELECT count(*) FROM charges
-- name: over budget hint names filters
-- set: stripesql.max_requests = 10
SELECT id FROM invoices WHERE amount_due > 0
-- name: search equality escapes quotes and backslashes
SELECT id FROM customers WHERE name = 'o"brien\x'
-- name: search injection attempt stays one value
SELECT id FROM customers WHERE name = 'x" OR email:"y'
-- name: explain analyze planned
EXPLAIN ANALYZE SELECT id FROM customers WHERE id = 'cus_1'
-- name: order by created desc with offset
SELECT id, created FROM customers ORDER BY created DESC LIMIT 5 OFFSET 10
-- name: distinct on requires matching order
SELECT DISTINCT ON (customer) id FROM charges ORDER BY created
-- name: count with learned-free child table
SELECT count(*) FROM customer_balance_transactions WHERE customer = 'cus_1'
-- name: where false sends nothing
SELECT * FROM charges WHERE 1 = 0
-- name: where false and filter
SELECT id FROM charges WHERE customer = 'cus_1' AND false
-- name: any array param
-- args: {cus_1,cus_2}
SELECT id FROM customers WHERE id = ANY($1)
-- name: any array literal on list filter
SELECT id FROM charges WHERE customer = ANY(ARRAY['cus_1', 'cus_2'])
-- name: join with filters pushed per table
SELECT c.id, c.email, ch.amount FROM customers c JOIN charges ch ON ch.customer = c.id WHERE ch.customer = 'cus_1' AND c.id = 'cus_1'
-- name: left join keeps where off the nullable side
SELECT c.id, s.status FROM customers c LEFT JOIN subscriptions s ON s.customer = c.id AND s.status = 'active' WHERE c.email = 'a@b.c'
-- name: comma join with where equality
SELECT p.name, pr.unit_amount FROM products p, prices pr WHERE pr.product = p.id AND p.active
-- name: ambiguous column in join
SELECT id FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.id = 'cus_1'
-- name: duplicate alias
SELECT 1 FROM customers c JOIN charges c ON true
-- name: lookup join retrieves per key
SELECT ch.id, c.email FROM charges ch JOIN customers c ON c.id = ch.customer WHERE ch.id IN ('ch_1', 'ch_2') AND c.email LIKE '%@example.com'
-- name: left lookup join
SELECT r.id, ch.amount FROM refunds r LEFT JOIN charges ch ON ch.id = r.charge WHERE r.id = 're_1'
-- name: join over budget names the dear table
SELECT ch.id, c.email FROM charges ch JOIN customers c ON c.id = ch.customer
-- name: join derives the customer filter
SELECT c.email, ch.id FROM customers c JOIN charges ch ON ch.customer = c.id WHERE c.id = 'cus_1'
-- name: left join derives onto the nullable side
SELECT c.email, s.id FROM customers c LEFT JOIN subscriptions s ON s.customer = c.id WHERE c.id = 'cus_1'
-- name: subquery in from
SELECT count(*) FROM (SELECT id, amount FROM charges WHERE customer = 'cus_1') s WHERE s.amount > 100
-- name: subquery in from with limit wrapper
SELECT * FROM (SELECT id, email FROM customers WHERE email = 'a@b.c') AS virtual_table LIMIT 1000
-- name: subquery column aliases
SELECT x FROM (SELECT id FROM customers WHERE id = 'cus_1') t(x)
-- name: join with subquery
SELECT c.email, t.n FROM customers c JOIN (SELECT customer, count(*) AS n FROM charges WHERE created > '2024-06-01' GROUP BY customer) t ON t.customer = c.id WHERE c.id = 'cus_1'
-- name: over budget hint suggests the estimate, not a round thousand
-- set: stripesql.max_requests = 3
SELECT id FROM customers WHERE id IN ('cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5')
-- name: join using with the unqualified column
SELECT customer, s.id, ch.id FROM subscriptions s JOIN charges ch USING (customer) WHERE customer = 'cus_1'
-- name: right join is the left join swapped
SELECT c.email, ch.id FROM customers c RIGHT JOIN charges ch ON ch.customer = c.id WHERE ch.id = 'ch_1'
-- name: pgjdbc index key positions
SELECT c.email, (information_schema._pg_expandarray(t.a)).n, (information_schema._pg_expandarray(t.a)).x AS locale FROM customers c, (SELECT ARRAY['en', 'fr'] AS a) t WHERE c.id = 'cus_1'
-- name: pg_expandarray of a non-array
SELECT (information_schema._pg_expandarray(c.preferred_locales)).n FROM customers c WHERE c.id = 'cus_1'

-- name: events type prefix pushed as a wildcard
SELECT id, type FROM events WHERE type LIKE 'customer.%' AND created > '2024-06-01'::timestamptz

-- name: events type pattern with a wildcard inside stays with the engine
SELECT id FROM events WHERE type LIKE 'customer_%'
