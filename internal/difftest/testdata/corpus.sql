-- Differential corpus: every entry runs on stripesql (pushdown on and off) and on PostgreSQL 15
-- loaded with the same rows, and the answers must be the same.
--
-- Format: "-- name: unique_name" starts an entry; optional "-- needs: feature" (an analyst-SQL
-- feature: pending while stripesql answers 0A000 for it) and "-- known-bug: what is wrong" lines
-- follow; then one SELECT. {table.column} is the smallest distinct non-null value of that column in
-- the loaded data, {table.column#n} the n-th (from 0), and {table.column/key#n} the column's value in
-- the row with the n-th smallest key (so {customers.email/id#3} is the email of {customers.id#3}):
-- queries name real ids without hard-coding what the seed generates. A query with ORDER BY is compared in order, so every ORDER
-- BY here is a total order (ties broken by id); LIMIT without ORDER BY is refused. The clock
-- differs between the two servers: no query calls now() or current_date.

-- ===== Pushed-down filters: id, customer, email, created ranges, status, parents =====

-- name: charge_by_id
SELECT id, amount, currency, status, customer FROM charges WHERE id = '{charges.id#3}';

-- name: charge_by_missing_id
SELECT id FROM charges WHERE id = 'ch_doesnotexist';

-- name: charges_by_id_list
SELECT id, amount FROM charges WHERE id IN ('{charges.id#1}', '{charges.id#2}', 'ch_missing');

-- name: customer_by_id
SELECT id, email, name, currency FROM customers WHERE id = '{customers.id#2}';

-- name: customer_by_id_and_email
SELECT id, email FROM customers WHERE id = '{customers.id#3}' AND email = '{customers.email/id#3}';

-- name: customer_by_email
SELECT id, email, name FROM customers WHERE email = '{customers.email#4}';

-- name: customer_by_email_case_differs
SELECT id FROM customers WHERE email = upper('{customers.email#4}');

-- name: charges_of_customer
SELECT id, amount, status FROM charges WHERE customer = '{charges.customer#2}';

-- name: charges_of_customer_since
SELECT id, amount, created FROM charges WHERE customer = '{charges.customer#1}' AND created >= '2023-06-01';

-- name: charges_in_created_range
SELECT id, created FROM charges WHERE created >= '2024-01-01' AND created < '2024-03-01';

-- name: charges_created_between
SELECT id FROM charges WHERE created BETWEEN '2023-01-01' AND '2023-12-31 23:59:59';

-- name: charges_created_fractional_bound
SELECT id FROM charges WHERE created > '2024-02-01 00:00:00.5+00';

-- name: charges_created_reversed_comparison
SELECT id FROM charges WHERE '2024-04-01' <= created;

-- name: charges_created_strictly_between
SELECT id FROM charges WHERE created > '2023-03-01' AND created < '2023-09-01';

-- name: charges_created_to_timestamp
SELECT id FROM charges WHERE created >= to_timestamp(1704067200) AND created <= to_timestamp(1709251200);

-- name: charges_created_equal_to_existing
SELECT id, created FROM charges WHERE created = '{charges.created#5}';

-- name: charges_created_with_offset_literal
SELECT id FROM charges WHERE created < '2023-05-01 02:00:00+02';

-- name: charges_by_customer_list
SELECT id, customer FROM charges WHERE customer IN ('{charges.customer}', '{charges.customer#3}');

-- name: charges_by_contradicting_customers
SELECT id FROM charges WHERE customer = '{charges.customer}' AND customer = '{charges.customer#1}';

-- name: charges_customer_eq_null
SELECT id FROM charges WHERE customer = NULL;

-- name: charges_customer_is_null
SELECT id FROM charges WHERE customer IS NULL;

-- name: charges_by_payment_intent
SELECT id, payment_intent FROM charges WHERE payment_intent = '{charges.payment_intent#7}';

-- name: charges_customer_not_in
SELECT id FROM charges WHERE customer NOT IN ('{charges.customer}', '{charges.customer#1}') AND amount > 20000;

-- name: charges_failed_or_small
SELECT id, status, amount FROM charges WHERE status = 'failed' OR amount < 1000;

-- name: charges_status_failed
SELECT id, failure_code FROM charges WHERE status = 'failed';

-- name: charges_refunded_true
SELECT id, amount_refunded FROM charges WHERE refunded = true;

-- name: charges_not_captured
SELECT id FROM charges WHERE NOT captured;

-- name: charges_amount_and_status
SELECT id FROM charges WHERE amount > 5000 AND status = 'succeeded' AND currency = 'eur';

-- name: payment_intents_of_customer
SELECT id, amount, status FROM payment_intents WHERE customer = '{payment_intents.customer#4}';

-- name: payment_intents_amount_currency
SELECT id FROM payment_intents WHERE amount >= 20000 AND currency = 'usd' AND created >= '2024-01-01';

-- name: refunds_of_charge
SELECT id, amount, reason FROM refunds WHERE charge = '{refunds.charge}';

-- name: refunds_created_range
SELECT id, amount FROM refunds WHERE created >= '2023-06-01' AND created < '2024-06-01';

-- name: invoices_of_customer_paid
SELECT id, total, status FROM invoices WHERE status = 'paid' AND customer = '{invoices.customer#1}';

-- name: invoices_of_subscription
SELECT id, amount_paid, billing_reason FROM invoices WHERE subscription = '{invoices.subscription}';

-- name: subscriptions_active
SELECT id, status, customer FROM subscriptions WHERE status = 'active';

-- name: subscriptions_canceled_since
SELECT id FROM subscriptions WHERE status = 'canceled' AND created > '2022-01-01';

-- name: subscriptions_of_customer
SELECT id, status FROM subscriptions WHERE customer = '{subscriptions.customer}';

-- name: subscription_items_of_subscription
SELECT id, price, quantity FROM subscription_items WHERE subscription = '{subscriptions.id#2}';

-- name: invoice_items_of_customer
SELECT id, amount, description FROM invoice_items WHERE customer = '{invoice_items.customer}';

-- name: products_active
SELECT id, name FROM products WHERE active = true;

-- name: products_by_id
SELECT id, name, active FROM products WHERE id = '{products.id#1}';

-- name: prices_of_product
SELECT id, unit_amount, type, recurring_interval FROM prices WHERE product = '{prices.product#2}';

-- name: prices_active_recurring
SELECT id FROM prices WHERE active AND type = 'recurring';

-- name: prices_by_lookup_key
SELECT id, unit_amount FROM prices WHERE lookup_key = '{prices.lookup_key#3}';

-- name: prices_monthly
SELECT id, unit_amount FROM prices WHERE recurring_interval = 'month' AND currency = 'usd';

-- name: balance_transactions_payouts
SELECT id, amount, net FROM balance_transactions WHERE type = 'payout' AND created >= '2024-03-01';

-- name: balance_transactions_by_source
SELECT id, type, amount, fee FROM balance_transactions WHERE source = '{balance_transactions.source#9}';

-- name: balance_transactions_currency
SELECT id FROM balance_transactions WHERE currency = 'eur' AND type = 'charge';

-- name: payouts_paid_in_range
SELECT id, amount FROM payouts WHERE status = 'paid' AND created >= '2023-10-01' AND created < '2024-01-01';

-- name: customers_created_range
SELECT id, created FROM customers WHERE created > '2023-01-01' AND created < '2024-01-01';

-- name: customers_name_ilike
SELECT id, name FROM customers WHERE name ILIKE '%ada%';

-- name: customers_email_like
SELECT id FROM customers WHERE email LIKE 'grace%';

-- name: customers_name_or_email_ilike
SELECT id FROM customers WHERE name ILIKE '%turing%' OR email ILIKE '%lamarr%';

-- name: customers_metadata_plan
SELECT id, metadata->>'segment' AS segment FROM customers WHERE metadata->>'plan' = 'enterprise';

-- name: charges_metadata_key_present
SELECT id FROM charges WHERE metadata->>'order_id' IS NOT NULL AND created >= '2024-05-01';

-- name: disputes_by_charge
SELECT id, reason, status FROM disputes WHERE charge = '{disputes.charge}';

-- name: coupons_all
SELECT id, name, percent_off, duration FROM coupons;

-- name: plans_of_product
SELECT id, amount, interval FROM plans WHERE product = '{plans.product}';

-- ===== Projections and scalar expressions =====

-- name: amount_arithmetic
SELECT id, amount / 100 AS units, amount % 100 AS cents, -amount AS neg, amount * 2 + 1 AS calc FROM charges WHERE customer = '{charges.customer#5}';

-- name: amount_numeric_division
SELECT id, amount::numeric / 100 AS dollars FROM charges WHERE created >= '2024-05-01';

-- name: amount_float_division
SELECT id, amount::float8 / 3 AS third FROM charges WHERE created >= '2024-05-15';

-- name: round_ceil_floor
SELECT id, round(amount / 3.0, 2) AS r, ceil(amount / 7.0) AS c, floor(amount / 7.0) AS f FROM charges WHERE created >= '2024-05-01';

-- name: case_size_buckets
SELECT id, CASE WHEN amount >= 100000 THEN 'large' WHEN amount >= 10000 THEN 'medium' ELSE 'small' END AS size FROM charges WHERE created >= '2024-04-01';

-- name: simple_case
SELECT id, CASE currency WHEN 'usd' THEN 'dollar' WHEN 'eur' THEN 'euro' ELSE 'other' END AS kind FROM charges WHERE created >= '2024-04-15';

-- name: coalesce_nullif
SELECT id, coalesce(failure_code, 'none') AS code, nullif(amount_refunded, 0) AS refunded_amount FROM charges WHERE created >= '2024-03-01';

-- name: greatest_least
SELECT id, greatest(amount, 10000) AS g, least(amount, 10000) AS l FROM charges WHERE created >= '2024-05-01';

-- name: string_functions
SELECT id, upper(name) AS u, lower(email) AS l, length(name) AS len, initcap(lower(name)) AS i FROM customers;

-- name: substring_functions
SELECT id, substr(email, 1, 5) AS s, left(name, 3) AS lf, right(name, 3) AS rt, split_part(email, '@', 2) AS domain FROM customers;

-- name: position_replace_concat
SELECT id, position('@' IN email) AS at_pos, replace(email, 'example.com', 'corp.test') AS moved, concat(name, ' <', email, '>') AS display FROM customers;

-- name: string_concat_operator
SELECT id, currency || ':' || amount AS tag FROM charges WHERE created >= '2024-05-20';

-- name: trim_pad
SELECT id, lpad(currency, 6, '*') AS p, rpad(currency, 5, '-') AS r, trim(both 'u' from currency) AS t FROM charges WHERE created >= '2024-05-20';

-- name: starts_with_and_like
SELECT id, starts_with(name, 'A') AS a, name LIKE '%e%' AS has_e, email NOT LIKE '%1%' AS no_one FROM customers;

-- name: regex_match
SELECT id, email ~ '^[a-f]' AS early, regexp_replace(email, '[0-9]+', '#') AS masked FROM customers;

-- name: date_trunc_month
SELECT id, date_trunc('month', created) AS month FROM charges WHERE created >= '2024-04-01';

-- name: extract_parts
SELECT id, extract(year FROM created) AS y, extract(month FROM created) AS m, extract(dow FROM created) AS dow FROM charges WHERE created >= '2024-05-01';

-- name: date_part_and_epoch
SELECT id, date_part('day', created) AS d, extract(epoch FROM created) AS epoch FROM charges WHERE created >= '2024-05-10';

-- name: to_char_month
SELECT id, to_char(created, 'YYYY-MM') AS ym, to_char(created, 'YYYY-MM-DD HH24:MI') AS ts FROM charges WHERE created >= '2024-05-01';

-- name: cast_to_date
SELECT id, created::date AS day FROM charges WHERE created >= '2024-05-01';

-- name: interval_arithmetic
SELECT id, created + interval '30 days' AS due, created - interval '1 hour' AS earlier FROM invoices WHERE customer = '{invoices.customer}';

-- name: timestamp_difference
SELECT id, current_period_end - current_period_start AS period FROM subscriptions;

-- name: age_between_timestamps
SELECT id, age(timestamptz '2024-06-15 00:00:00+00', created) AS age FROM customers WHERE created >= '2024-01-01';

-- name: at_time_zone
SELECT id, created AT TIME ZONE 'UTC' AS utc, created AT TIME ZONE 'America/New_York' AS ny FROM charges WHERE created >= '2024-05-15';

-- name: json_field_text
SELECT id, metadata->>'plan' AS plan, metadata->'segment' AS segment_json FROM customers;

-- name: json_nested_path
SELECT id, payment_method_details->'card'->>'brand' AS brand, billing_details #>> '{address,city}' AS city FROM charges WHERE created >= '2024-05-01';

-- name: json_typeof_and_exists
SELECT id, jsonb_typeof(metadata) AS t, metadata ? 'plan' AS has_plan FROM customers;

-- name: json_containment
SELECT id FROM customers WHERE metadata @> '{"plan": "free"}';

-- name: json_cast_number
SELECT id, (outcome->>'risk_score')::int AS risk, outcome->>'risk_level' AS level FROM charges WHERE created >= '2024-05-01';

-- name: json_extract_path_text
SELECT id, jsonb_extract_path_text(outcome, 'network_status') AS ns FROM charges WHERE status = 'failed';

-- name: json_whole_column
SELECT id, metadata FROM customers;

-- name: json_object_column
SELECT id, outcome FROM charges WHERE created >= '2024-05-25';

-- name: json_array_length
SELECT id, jsonb_array_length(payment_method_types) AS n FROM payment_intents WHERE created >= '2024-05-01';

-- name: boolean_expressions
SELECT id, paid AND NOT refunded AS clean, disputed OR refunded AS troubled, captured IS TRUE AS cap FROM charges WHERE created >= '2024-04-01';

-- name: is_distinct_from
SELECT id FROM charges WHERE failure_code IS DISTINCT FROM 'card_declined' AND created >= '2024-05-01';

-- name: in_list_expression
SELECT id, currency IN ('eur', 'gbp') AS european FROM charges WHERE created >= '2024-05-01';

-- name: text_casts
SELECT id, amount::text AS a, created::text AS c, refunded::text AS r FROM charges WHERE created >= '2024-05-20';

-- name: float_column_values
SELECT id, unit_amount_decimal, unit_amount_decimal / 7 AS seventh FROM prices;

-- name: percent_off_float
SELECT id, percent_off, percent_off / 100.0 AS fraction FROM coupons;

-- name: constant_select
SELECT 1 + 1 AS two, 'x' || 'y' AS xy, 7 / 2 AS int_div, 7.0 / 2 AS num_div, 2 ^ 10 AS pow;

-- name: null_handling
SELECT id, description IS NULL AS no_desc, coalesce(description, '(none)') AS d FROM refunds;

-- name: numeric_division_scale
SELECT id, amount::numeric / 3 AS third, amount::numeric / 7 * 7 AS back, round(amount::numeric / 7, 3) AS r3 FROM refunds;

-- name: float_formatting
SELECT id, amount::float8 / 7 AS f, amount::float8 * 1e15 AS big, amount::float8 / 1e9 AS small, amount::real / 3 AS r FROM refunds;

-- name: float_special_values
SELECT 'NaN'::float8 AS nan, 'Infinity'::float8 AS inf, -0.0::float8 AS negzero, 1e300::float8 * 10 AS huge;

-- name: math_functions
SELECT id, sqrt(amount) AS sq, ln(amount) AS l, power(amount, 0.5) AS p, abs(-amount) AS a, sign(amount - 20000) AS sg FROM refunds;

-- name: integer_functions
SELECT id, mod(amount, 7) AS m, div(amount, 7) AS d, amount / 7 AS q, amount % 7 AS r FROM refunds;

-- name: rounding_negative
SELECT round(-2.5) AS a, round(2.5) AS b, ceil(-0.5) AS c, floor(-0.5) AS d, trunc(-2.7) AS e, round(-2.5::float8) AS f;

-- name: to_char_number
SELECT id, to_char(amount, 'FM999,999,999') AS formatted, to_char(amount / 100.0, 'FM999990.00') AS dollars FROM refunds;

-- name: date_trunc_week_quarter
SELECT id, date_trunc('week', created) AS week, date_trunc('quarter', created) AS quarter, date_trunc('day', created) AS day FROM refunds;

-- name: to_char_dates
SELECT id, to_char(created, 'Mon DD, YYYY') AS d1, to_char(created, 'Day') AS dow, to_char(created, 'IYYY-IW') AS isoweek, to_char(created, 'HH12:MI AM') AS t FROM refunds;

-- name: interval_output
SELECT interval '1 day 2 hours' AS a, interval '36 hours' AS b, justify_hours(interval '36 hours') AS c, interval '1 month' - interval '1 day' AS d, interval '90 minutes' * 3 AS e;

-- name: timestamp_minus_timestamp
SELECT id, created - timestamptz '2023-01-01 00:00:00+00' AS since FROM refunds;

-- name: string_misc
SELECT id, reverse(id) AS rev, repeat(currency, 2) AS rep, translate(currency, 'ud', 'UD') AS tr, md5(id) AS hash, ascii(id) AS asc, octet_length(name) AS bytes FROM customers;

-- name: string_format
SELECT id, format('%s <%s>', name, email) AS f, quote_literal(name) AS ql, quote_ident(name) AS qi FROM customers;

-- name: regexp_functions
SELECT id, (regexp_match(email, '^([a-z]+)\.([a-z-]+)'))[2] AS last_name, regexp_replace(name, '\s+', '_', 'g') AS snake FROM customers;

-- name: string_to_array_and_back
SELECT id, string_to_array(email, '@') AS parts, array_to_string(string_to_array(name, ' '), '+') AS joined FROM customers;

-- name: json_build
SELECT id, jsonb_build_object('amount', amount, 'currency', currency) AS obj, jsonb_build_array(amount, status) AS arr FROM refunds;

-- name: json_concat
SELECT id, metadata || '{"checked": true}' AS merged FROM customers;

-- name: json_delete_key
SELECT id, metadata - 'plan' AS without_plan FROM customers;

-- name: json_text_of_numbers
SELECT id, outcome->'risk_score' AS score_json, (outcome->>'risk_score')::numeric / 100 AS score FROM charges WHERE created >= '2024-05-20';

-- name: json_to_text_cast
SELECT id, metadata::text AS m, length(metadata::text) AS len FROM customers;

-- name: json_path_missing
SELECT id, metadata->'nope' AS missing, metadata->>'nope' IS NULL AS is_null, payment_method_details #> '{card,nope}' AS deep FROM charges WHERE created >= '2024-06-01';

-- name: bool_output_and_casts
SELECT id, refunded, refunded::int AS as_int, NOT refunded AS negated, (amount > 10000)::text AS big FROM charges WHERE created >= '2024-05-25';

-- name: case_without_else
SELECT id, CASE WHEN refunded THEN amount_refunded END AS refunded_amount FROM charges WHERE created >= '2024-05-01';

-- name: nested_coalesce_case
SELECT id, coalesce(CASE WHEN amount > 100000 THEN 'xl' END, CASE WHEN amount > 10000 THEN 'l' END, 's') AS size FROM refunds;

-- name: between_symmetric_and_not
SELECT id FROM refunds WHERE amount NOT BETWEEN 10000 AND 40000;

-- name: like_escape_and_ilike_any
SELECT id, name FROM customers WHERE name ILIKE ANY (ARRAY['%knuth%', '%borg%']);

-- name: in_list_with_null
SELECT id, currency IN ('usd', NULL) AS maybe FROM refunds;

-- name: null_comparisons
SELECT id, description = NULL AS eq_null, description IS NULL AS is_null, NULL::int + amount AS plus_null FROM refunds;

-- name: timestamp_comparison_with_date
SELECT id FROM refunds WHERE created::date = '{refunds.created#3}'::timestamptz::date;

-- name: epoch_to_timestamp
SELECT id, to_timestamp(extract(epoch FROM created)::bigint) = created AS round_trip FROM refunds;

-- name: extract_from_interval
SELECT id, extract(epoch FROM current_period_end - current_period_start) / 86400 AS days FROM subscriptions;

-- ===== Aggregates, GROUP BY, HAVING =====

-- name: count_all
SELECT count(*) FROM charges;

-- name: count_sum_min_max
SELECT count(*), sum(amount), min(amount), max(amount), min(created), max(created) FROM charges;

-- name: aggregates_of_customer
SELECT count(*), sum(amount), min(created), max(created) FROM charges WHERE customer = '{charges.customer}';

-- name: aggregates_over_no_rows
SELECT count(*), sum(amount), avg(amount), max(created) FROM charges WHERE id = 'ch_nope';

-- name: avg_rounded
SELECT round(avg(amount), 2) AS avg_amount FROM charges;

-- name: avg_raw
SELECT currency, avg(amount) AS avg_amount FROM charges GROUP BY currency;

-- name: group_by_currency
SELECT currency, count(*), sum(amount) FROM charges GROUP BY currency;

-- name: group_by_ordinal_having
SELECT status, count(*) FROM charges GROUP BY 1 HAVING count(*) > 1;

-- name: group_by_two_columns
SELECT currency, status, count(*) AS n, sum(amount) AS total FROM charges GROUP BY currency, status;

-- name: group_by_expression
SELECT upper(currency) AS cur, max(amount) FROM charges GROUP BY cur;

-- name: group_by_boolean
SELECT refunded, count(*), sum(amount_refunded) FROM charges GROUP BY refunded;

-- name: count_filter
SELECT customer, count(*) FILTER (WHERE refunded) AS refunds, count(*) FILTER (WHERE status = 'failed') AS failures, bool_or(paid) AS any_paid FROM charges GROUP BY customer;

-- name: sum_filter
SELECT currency, sum(amount) FILTER (WHERE status = 'succeeded') AS ok, sum(amount) FILTER (WHERE status = 'failed') AS failed FROM charges GROUP BY currency;

-- name: count_distinct
SELECT count(DISTINCT customer) FROM charges WHERE created >= '2023-01-01';

-- name: count_distinct_per_group
SELECT currency, count(DISTINCT customer) AS customers, count(*) AS charges FROM charges GROUP BY currency;

-- name: sum_distinct
SELECT sum(DISTINCT amount) AS s FROM refunds;

-- name: bool_and_or
SELECT currency, bool_and(paid) AS all_paid, bool_or(disputed) AS any_disputed FROM charges GROUP BY currency;

-- name: having_sum
SELECT customer, sum(amount) AS total FROM charges GROUP BY customer HAVING sum(amount) > 300000;

-- name: having_without_select
SELECT currency FROM charges GROUP BY currency HAVING min(amount) < 1000;

-- name: group_by_date_trunc
SELECT date_trunc('month', created) AS month, count(*) FROM charges GROUP BY 1;

-- name: string_agg_ordered
-- needs: ordered_aggregates
SELECT currency, string_agg(id, ',' ORDER BY id) AS ids FROM refunds GROUP BY currency;

-- name: array_agg_ordered
-- needs: ordered_aggregates
SELECT status, array_agg(amount ORDER BY amount, id) AS amounts FROM payouts WHERE created >= '2024-04-01' GROUP BY status;

-- name: stddev_samp
SELECT currency, round(stddev_samp(amount), 4) AS sd FROM charges GROUP BY currency HAVING count(*) > 2;

-- name: var_pop
SELECT round(var_pop(amount), 2) AS vp FROM refunds;

-- name: every_aggregate
SELECT currency, every(paid) AS all_paid FROM charges GROUP BY currency;

-- name: json_agg_count
SELECT status, jsonb_array_length(jsonb_agg(id)) AS n FROM payouts GROUP BY status;

-- name: avg_float
SELECT avg(unit_amount_decimal) AS a, sum(unit_amount_decimal) AS s FROM prices;

-- name: aggregate_expression
SELECT sum(amount - amount_refunded) AS net, sum(amount) / count(*) AS per_charge FROM charges WHERE status = 'succeeded';

-- name: count_column_nulls
SELECT count(failure_code) AS with_code, count(*) - count(failure_code) AS without_code FROM charges;

-- name: min_max_text
SELECT min(email) AS first, max(name) AS last FROM customers;

-- name: group_by_json_field
SELECT metadata->>'plan' AS plan, count(*) FROM customers GROUP BY 1;

-- ===== ORDER BY, LIMIT, OFFSET, DISTINCT =====

-- name: newest_charges
SELECT id, created FROM charges ORDER BY created DESC, id LIMIT 5;

-- name: newest_of_customer
SELECT id, created FROM charges WHERE customer = '{charges.customer}' ORDER BY created DESC, id LIMIT 2;

-- name: offset_page
SELECT id FROM customers ORDER BY created DESC, id LIMIT 3 OFFSET 2;

-- name: order_by_amount_then_id
SELECT id, amount FROM charges ORDER BY amount DESC, id LIMIT 7;

-- name: order_by_ordinal
SELECT id, amount FROM refunds ORDER BY 2, 1;

-- name: order_by_alias
SELECT id, amount / 100 AS units FROM refunds ORDER BY units DESC, id;

-- name: order_by_expression
SELECT id, name FROM customers ORDER BY length(name), id;

-- name: order_nulls_first
SELECT id, failure_code FROM charges WHERE created >= '2024-04-01' ORDER BY failure_code NULLS FIRST, id;

-- name: order_nulls_last_desc
SELECT id, reason FROM refunds ORDER BY reason DESC NULLS LAST, id;

-- name: order_nulls_default_desc
SELECT id, reason FROM refunds ORDER BY reason DESC, id;

-- name: order_text_collation
SELECT name FROM customers ORDER BY name, id;

-- name: order_by_bool
SELECT id, refunded FROM charges WHERE created >= '2024-03-01' ORDER BY refunded DESC, id;

-- name: limit_zero
SELECT id FROM charges ORDER BY id LIMIT 0;

-- name: offset_past_end
SELECT id FROM refunds ORDER BY id OFFSET 1000;

-- name: distinct_currency
SELECT DISTINCT currency FROM charges;

-- name: distinct_two_columns
SELECT DISTINCT currency, status FROM charges;

-- name: distinct_ordered
SELECT DISTINCT currency FROM charges ORDER BY currency;

-- name: distinct_on_latest_per_customer
SELECT DISTINCT ON (customer) customer, id, created FROM charges ORDER BY customer, created DESC, id;

-- name: group_order_limit
SELECT currency, sum(amount) AS total FROM charges GROUP BY currency ORDER BY total DESC, currency LIMIT 3;

-- ===== Analyst questions on one table =====

-- name: revenue_by_month_and_currency
SELECT date_trunc('month', created) AS month, currency, sum(amount) AS gross, count(*) AS n
FROM charges WHERE status = 'succeeded'
GROUP BY 1, 2 ORDER BY 1, 2;

-- name: revenue_net_of_refunds_by_currency
SELECT currency, sum(amount) AS gross, sum(amount_refunded) AS refunded, sum(amount - amount_refunded) AS net
FROM charges WHERE paid GROUP BY currency ORDER BY currency;

-- name: refund_rate_by_currency
SELECT currency, count(*) FILTER (WHERE refunded) AS refunded, count(*) AS total,
       round(100.0 * count(*) FILTER (WHERE refunded) / count(*), 2) AS refund_pct
FROM charges GROUP BY currency ORDER BY currency;

-- name: refund_amount_rate
SELECT round(sum(amount_refunded)::numeric / nullif(sum(amount), 0), 6) AS refunded_share FROM charges WHERE status = 'succeeded';

-- name: failed_payment_reasons
SELECT failure_code, failure_message, count(*) AS n, sum(amount) AS amount
FROM charges WHERE status = 'failed'
GROUP BY failure_code, failure_message ORDER BY n DESC, failure_message;

-- name: failure_rate_by_month
SELECT to_char(created, 'YYYY-MM') AS month, count(*) FILTER (WHERE status = 'failed') AS failed, count(*) AS total
FROM charges GROUP BY 1 ORDER BY 1;

-- name: top_customers_by_volume
SELECT customer, count(*) AS charges, sum(amount) AS volume
FROM charges WHERE status = 'succeeded' AND currency = 'usd'
GROUP BY customer ORDER BY volume DESC, customer LIMIT 10;

-- name: customer_lifetime_first_last
SELECT customer, min(created) AS first_charge, max(created) AS last_charge, count(*) AS n
FROM charges GROUP BY customer ORDER BY first_charge, customer;

-- name: invoice_aging_buckets
SELECT CASE
         WHEN created >= timestamptz '2024-06-15' - interval '30 days' THEN '0-30'
         WHEN created >= timestamptz '2024-06-15' - interval '60 days' THEN '31-60'
         WHEN created >= timestamptz '2024-06-15' - interval '90 days' THEN '61-90'
         ELSE '90+'
       END AS bucket,
       count(*) AS invoices, sum(amount_remaining) AS outstanding, sum(total) AS total
FROM invoices GROUP BY 1 ORDER BY 1;

-- name: invoices_by_status_and_reason
SELECT status, billing_reason, count(*) AS n, sum(amount_paid) AS paid FROM invoices GROUP BY 1, 2 ORDER BY 1, 2;

-- name: invoice_totals_by_month
SELECT date_trunc('month', period_start) AS period, sum(total) AS billed, sum(amount_paid) AS collected
FROM invoices GROUP BY 1 ORDER BY 1;

-- name: subscriptions_by_status
SELECT status, count(*) AS n, count(canceled_at) AS canceled FROM subscriptions GROUP BY status ORDER BY status;

-- name: churned_subscriptions
SELECT id, customer, canceled_at, ended_at FROM subscriptions WHERE status = 'canceled' ORDER BY canceled_at, id;

-- name: subscription_items_by_price
SELECT price, count(*) AS n, sum(quantity) AS seats FROM subscription_items
WHERE subscription IN ('{subscriptions.id}', '{subscriptions.id#1}', '{subscriptions.id#2}', '{subscriptions.id#3}', '{subscriptions.id#4}')
GROUP BY price ORDER BY n DESC, price;

-- name: subscription_tenure_days
SELECT id, extract(day FROM coalesce(ended_at, timestamptz '2024-06-15') - start_date) AS tenure_days FROM subscriptions ORDER BY id;

-- name: prices_by_product
SELECT product, count(*) AS prices, min(unit_amount) AS cheapest, max(unit_amount) AS dearest
FROM prices GROUP BY product ORDER BY product;

-- name: prices_by_interval
SELECT coalesce(recurring_interval, 'one_time') AS interval, count(*) AS n, sum(unit_amount) AS total FROM prices GROUP BY 1 ORDER BY 1;

-- name: payouts_by_month
SELECT date_trunc('month', arrival_date) AS month, count(*) AS n, sum(amount) AS paid_out
FROM payouts WHERE status = 'paid' GROUP BY 1 ORDER BY 1;

-- name: fees_by_type
SELECT type, sum(amount) AS amount, sum(fee) AS fees, sum(net) AS net FROM balance_transactions GROUP BY type ORDER BY type;

-- name: fee_ratio_by_currency
SELECT currency, round(sum(fee)::numeric / nullif(sum(amount), 0) * 100, 3) AS fee_pct
FROM balance_transactions WHERE type = 'charge' GROUP BY currency ORDER BY currency;

-- name: customers_by_currency
SELECT coalesce(currency, '?') AS currency, count(*) AS n FROM customers GROUP BY 1 ORDER BY n DESC, 1;

-- name: customers_by_email_domain
SELECT split_part(email, '@', 2) AS domain, count(*) FROM customers GROUP BY 1 ORDER BY 1;

-- name: card_brands
SELECT payment_method_details->'card'->>'brand' AS brand, count(*) AS n, sum(amount) AS volume
FROM charges GROUP BY 1 ORDER BY n DESC, brand;

-- name: risk_levels
SELECT outcome->>'risk_level' AS risk_level, outcome->>'type' AS outcome, count(*) AS n
FROM charges GROUP BY 1, 2 ORDER BY 1, 2;

-- name: payment_intent_conversion
-- needs: window
SELECT status, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS pct
FROM payment_intents GROUP BY status ORDER BY status;

-- name: daily_volume_recent
SELECT created::date AS day, count(*) AS n, sum(amount) AS volume FROM charges WHERE created >= '2024-05-15' GROUP BY 1 ORDER BY 1;

-- name: weekday_distribution
SELECT extract(isodow FROM created) AS weekday, count(*) FROM charges GROUP BY 1 ORDER BY 1;

-- name: large_charges_share
SELECT count(*) FILTER (WHERE amount >= 100000) AS large, count(*) AS all_charges FROM charges WHERE status = 'succeeded';

-- name: refunds_by_reason
SELECT coalesce(reason, 'unspecified') AS reason, count(*) AS n, sum(amount) AS amount FROM refunds GROUP BY 1 ORDER BY 1;

-- name: disputes_summary
SELECT reason, status, count(*), sum(amount) FROM disputes GROUP BY 1, 2 ORDER BY 1, 2;

-- name: coupon_discount_table
SELECT name, duration, coalesce(percent_off::text, amount_off::text) AS off FROM coupons ORDER BY name;

-- ===== Analyst SQL: joins =====

-- name: join_charges_customers
-- needs: joins
SELECT ch.id, ch.amount, c.email FROM charges ch JOIN customers c ON c.id = ch.customer WHERE ch.created >= '2024-05-01';

-- name: join_lookup_few_charges
-- needs: joins
SELECT ch.id, c.name FROM charges ch JOIN customers c ON c.id = ch.customer WHERE ch.customer = '{charges.customer#2}';

-- name: left_join_customers_charges
-- needs: joins
SELECT c.id, count(ch.id) AS charges, coalesce(sum(ch.amount), 0) AS volume
FROM customers c LEFT JOIN charges ch ON ch.customer = c.id GROUP BY c.id;

-- name: right_join
-- needs: joins
SELECT r.id AS refund, ch.id AS charge FROM refunds r RIGHT JOIN charges ch ON ch.id = r.charge WHERE ch.refunded;

-- name: full_join
-- needs: joins
SELECT r.id AS refund, d.id AS dispute FROM refunds r FULL JOIN disputes d ON d.charge = r.charge;

-- name: cross_join
-- needs: joins
SELECT p.id, c.id FROM products p CROSS JOIN coupons c;

-- name: comma_join
-- needs: joins
SELECT si.subscription, p.name FROM subscriptions s, subscription_items si, products p, prices pr WHERE si.subscription = s.id AND pr.id = si.price AND p.id = pr.product;

-- name: join_using
-- needs: joins
SELECT customer, s.status, count(*) AS charges FROM (SELECT customer, amount FROM charges) ch JOIN (SELECT customer, status FROM subscriptions) s USING (customer) GROUP BY customer, s.status;

-- name: self_join_same_customer
-- needs: joins
SELECT a.id, b.id FROM refunds a JOIN refunds b ON a.charge = b.charge AND a.id < b.id;

-- name: refunds_to_charges
-- needs: joins
SELECT r.id, r.amount, ch.amount AS charged, ch.currency FROM refunds r JOIN charges ch ON ch.id = r.charge;

-- name: invoices_to_subscriptions
-- needs: joins
SELECT s.status, count(i.id) AS invoices, sum(i.amount_paid) AS paid
FROM invoices i JOIN subscriptions s ON s.id = i.subscription GROUP BY s.status ORDER BY s.status;

-- name: three_table_join
-- needs: joins
SELECT c.email, s.id AS subscription, p.nickname
FROM subscriptions s JOIN customers c ON c.id = s.customer JOIN subscription_items si ON si.subscription = s.id JOIN prices p ON p.id = si.price;

-- name: mrr_by_plan
-- needs: joins
SELECT pr.nickname, count(*) AS subs,
       sum(CASE pr.recurring_interval WHEN 'year' THEN pr.unit_amount / 12.0 ELSE pr.unit_amount END * si.quantity) AS mrr
FROM subscriptions s JOIN subscription_items si ON si.subscription = s.id JOIN prices pr ON pr.id = si.price
WHERE s.status = 'active' GROUP BY pr.nickname ORDER BY pr.nickname;

-- name: revenue_by_customer_segment
-- needs: joins
SELECT c.metadata->>'segment' AS segment, sum(ch.amount) AS volume
FROM charges ch JOIN customers c ON c.id = ch.customer WHERE ch.status = 'succeeded' GROUP BY 1 ORDER BY 1 NULLS LAST;

-- name: dispute_rate_by_currency
-- needs: joins
SELECT ch.currency, count(d.id) AS disputes, count(*) AS charges
FROM charges ch LEFT JOIN disputes d ON d.charge = ch.id GROUP BY ch.currency ORDER BY ch.currency;

-- name: balance_by_source_type
-- needs: joins
SELECT bt.type, count(ch.id) AS from_charges, count(r.id) AS from_refunds
FROM balance_transactions bt LEFT JOIN charges ch ON ch.id = bt.source LEFT JOIN refunds r ON r.id = bt.source GROUP BY bt.type ORDER BY bt.type;

-- name: payment_intents_to_charges
-- needs: joins
SELECT pi.status, ch.status AS charge_status, count(*) FROM payment_intents pi JOIN charges ch ON ch.payment_intent = pi.id GROUP BY 1, 2;

-- name: join_same_name_columns
-- needs: joins
SELECT pi.id, pi.status, ch.status FROM payment_intents pi JOIN charges ch ON ch.payment_intent = pi.id WHERE ch.status = 'failed';

-- name: join_same_name_columns_grouped
-- needs: joins
SELECT pi.status, ch.status AS charge_status, count(*) FROM payment_intents pi JOIN charges ch ON ch.payment_intent = pi.id WHERE ch.status = 'failed' GROUP BY pi.status, ch.status;

-- name: join_same_name_aggregates
-- needs: joins
SELECT count(ch.id) AS charges, count(r.id) AS refunds FROM balance_transactions bt LEFT JOIN charges ch ON ch.id = bt.source LEFT JOIN refunds r ON r.id = bt.source;

-- name: multi_left_join_rows
-- needs: joins
SELECT bt.id, ch.id AS charge, r.id AS refund FROM balance_transactions bt LEFT JOIN charges ch ON ch.id = bt.source LEFT JOIN refunds r ON r.id = bt.source WHERE bt.type <> 'payout';

-- name: join_derived_table
-- needs: joins
SELECT c.id, t.total FROM customers c JOIN (SELECT customer, sum(amount) AS total FROM charges GROUP BY customer) t ON t.customer = c.id WHERE t.total > 200000;

-- name: products_without_prices
-- needs: joins
SELECT p.id FROM products p LEFT JOIN prices pr ON pr.product = p.id WHERE pr.id IS NULL;

-- name: invoice_lines_to_prices
-- needs: joins
SELECT p.nickname, count(*) FROM invoice_line_items l JOIN prices p ON p.id = l.price GROUP BY 1;

-- name: top_customers_with_email
-- needs: joins
SELECT c.email, sum(ch.amount) AS volume, count(*) AS n
FROM charges ch JOIN customers c ON c.id = ch.customer
WHERE ch.status = 'succeeded' AND ch.currency = 'usd'
GROUP BY c.email ORDER BY volume DESC, c.email LIMIT 5;

-- name: churned_subscriptions_with_customer
-- needs: joins
SELECT s.id, c.email, s.canceled_at FROM subscriptions s JOIN customers c ON c.id = s.customer WHERE s.status = 'canceled' ORDER BY s.canceled_at, s.id;

-- name: refunds_with_charge_customer
-- needs: joins
SELECT r.id, ch.customer, r.amount FROM refunds r JOIN charges ch ON ch.id = r.charge WHERE r.created >= '2023-06-01';

-- name: failed_payments_by_customer_country
-- needs: joins
SELECT c.address->>'country' AS country, count(*) AS failed FROM charges ch JOIN customers c ON c.id = ch.customer WHERE ch.status = 'failed' GROUP BY 1 ORDER BY 1 NULLS FIRST;

-- name: prices_with_product_names
-- needs: joins
SELECT p.name, pr.nickname, pr.unit_amount FROM prices pr JOIN products p ON p.id = pr.product ORDER BY p.name, pr.unit_amount, pr.id;

-- name: subscription_items_with_prices
-- needs: joins
SELECT si.subscription, pr.recurring_interval, pr.unit_amount * si.quantity AS amount FROM subscriptions s JOIN subscription_items si ON si.subscription = s.id JOIN prices pr ON pr.id = si.price;

-- name: join_lookup_single_customer
-- needs: joins
SELECT c.id, c.email, count(ch.id) AS n FROM customers c LEFT JOIN charges ch ON ch.customer = c.id WHERE c.id = '{customers.id#5}' GROUP BY c.id, c.email;

-- name: join_on_created_range
-- needs: joins
SELECT ch.id, pi.id AS payment_intent FROM charges ch JOIN payment_intents pi ON pi.id = ch.payment_intent WHERE ch.created >= '2024-06-01';

-- name: payouts_with_balance_transactions
-- needs: joins
SELECT po.id, bt.net FROM payouts po JOIN balance_transactions bt ON bt.id = po.balance_transaction WHERE po.created >= '2024-04-01';

-- ===== Analyst SQL: subqueries =====

-- name: in_subquery
-- needs: subqueries
SELECT id, email FROM customers WHERE id IN (SELECT customer FROM charges WHERE refunded);

-- name: not_in_subquery
-- needs: subqueries
SELECT id FROM customers WHERE id NOT IN (SELECT customer FROM subscriptions);

-- name: exists_correlated
-- needs: subqueries
SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM charges ch WHERE ch.customer = c.id AND ch.status = 'failed');

-- name: not_exists_correlated
-- needs: subqueries
SELECT ch.id FROM charges ch WHERE ch.refunded AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.charge = ch.id);

-- name: scalar_subquery_select
-- needs: subqueries
SELECT id, amount, (SELECT max(amount) FROM charges) AS biggest FROM refunds;

-- name: scalar_subquery_correlated
-- needs: subqueries
SELECT c.id, (SELECT count(*) FROM charges ch WHERE ch.customer = c.id) AS n FROM customers c;

-- name: constant_subquery_pushdown
-- needs: subqueries
SELECT id, amount FROM charges WHERE customer = (SELECT min(id) FROM customers);

-- name: above_average
-- needs: subqueries
SELECT id, amount FROM charges WHERE amount > (SELECT avg(amount) * 5 FROM charges);

-- name: derived_table_aggregate
-- needs: subqueries
SELECT avg(n) AS avg_charges_per_customer FROM (SELECT customer, count(*) AS n FROM charges GROUP BY customer) t;

-- name: lateral_latest_charge
-- needs: lateral
SELECT c.id, l.id AS latest FROM customers c CROSS JOIN LATERAL (SELECT id FROM charges ch WHERE ch.customer = c.id ORDER BY created DESC, id LIMIT 1) l;

-- ===== Analyst SQL: CTEs =====

-- name: cte_simple
-- needs: cte
WITH big AS (SELECT id, amount FROM charges WHERE amount > 100000) SELECT count(*), sum(amount) FROM big;

-- name: cte_referenced_twice
-- needs: cte
WITH per_customer AS (SELECT customer, sum(amount) AS total FROM charges GROUP BY customer)
SELECT customer, total FROM per_customer WHERE total > (SELECT avg(total) FROM per_customer);

-- name: cte_cohort_retention
-- needs: cte
WITH first AS (SELECT customer, date_trunc('month', min(created)) AS cohort FROM charges GROUP BY customer),
     activity AS (SELECT DISTINCT customer, date_trunc('month', created) AS month FROM charges)
SELECT f.cohort, (extract(year FROM a.month) - extract(year FROM f.cohort)) * 12 + extract(month FROM a.month) - extract(month FROM f.cohort) AS months_since,
       count(*) AS active
FROM first f JOIN activity a ON a.customer = f.customer GROUP BY 1, 2 ORDER BY 1, 2;

-- name: cte_recursive_counter
-- needs: recursive_cte
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12) SELECT i FROM n;

-- name: cte_monthly_growth
-- needs: cte
WITH m AS (SELECT date_trunc('month', created) AS month, sum(amount) AS rev FROM charges WHERE status = 'succeeded' AND currency = 'usd' GROUP BY 1)
SELECT month, rev, rev - lag(rev) OVER (ORDER BY month) AS growth FROM m ORDER BY month;

-- name: not_in_with_null_subquery
SELECT id FROM customers WHERE id NOT IN (SELECT NULLIF(customer, customer) FROM charges);

-- name: amount_above_all_refunds
SELECT id, amount FROM charges WHERE amount > ALL (SELECT amount FROM refunds);

-- name: amount_below_any_dispute
SELECT id FROM charges WHERE amount < ANY (SELECT amount FROM disputes) AND status = 'succeeded';

-- name: correlated_scalar_in_where
SELECT ch.id, ch.amount FROM charges ch WHERE ch.amount = (SELECT max(x.amount) FROM charges x WHERE x.customer = ch.customer);

-- name: subquery_in_having
SELECT customer, count(*) AS n FROM charges GROUP BY customer HAVING count(*) > (SELECT avg(n) FROM (SELECT count(*) AS n FROM charges GROUP BY customer) t);

-- name: customers_charge_ids_array
SELECT c.id, ARRAY(SELECT ch.id FROM charges ch WHERE ch.customer = c.id ORDER BY ch.id) AS charge_ids FROM customers c;

-- name: cte_recursive_union_dedup
WITH RECURSIVE n(i) AS (SELECT 1 UNION SELECT i % 5 + 1 FROM n) SELECT i FROM n;

-- name: cte_joined_to_table
WITH refunded AS (SELECT charge, sum(amount) AS refunded FROM refunds GROUP BY charge)
SELECT ch.id, ch.amount, r.refunded FROM charges ch JOIN refunded r ON r.charge = ch.id;

-- name: left_join_lateral_top_refund
SELECT ch.id, l.amount FROM charges ch LEFT JOIN LATERAL (SELECT amount FROM refunds r WHERE r.charge = ch.id ORDER BY amount DESC, id LIMIT 1) l ON true WHERE ch.refunded;

-- ===== Analyst SQL: set operations, VALUES, generate_series =====

-- name: union_all_ids
-- needs: setops
SELECT id, amount FROM refunds UNION ALL SELECT id, amount FROM disputes;

-- name: union_distinct_customers
-- needs: setops
SELECT customer FROM subscriptions UNION SELECT customer FROM invoices;

-- name: intersect_customers
-- needs: setops
SELECT customer FROM charges WHERE refunded INTERSECT SELECT customer FROM subscriptions;

-- name: except_customers
-- needs: setops
SELECT id FROM customers EXCEPT SELECT customer FROM subscriptions;

-- name: union_ordered
-- needs: setops
SELECT 'refund' AS kind, id FROM refunds UNION ALL SELECT 'dispute', id FROM disputes ORDER BY kind, id;

-- name: values_list
-- needs: values
SELECT * FROM (VALUES (1, 'one'), (2, 'two'), (3, NULL)) AS v(n, word);

-- name: generate_series_months
-- needs: generate_series
SELECT m FROM generate_series(timestamptz '2024-01-01', timestamptz '2024-06-01', interval '1 month') AS m;

-- name: revenue_every_month_with_gaps
-- needs: generate_series
SELECT m.month, coalesce(sum(ch.amount), 0) AS revenue
FROM generate_series(timestamptz '2024-01-01', timestamptz '2024-06-01', interval '1 month') AS m(month)
LEFT JOIN charges ch ON date_trunc('month', ch.created) = m.month AND ch.currency = 'jpy'
GROUP BY m.month ORDER BY m.month;

-- ===== Analyst SQL: window functions =====

-- name: row_number_per_customer
-- needs: window
SELECT id, customer, row_number() OVER (PARTITION BY customer ORDER BY created, id) AS nth FROM charges WHERE currency = 'eur';

-- name: rank_dense_rank
-- needs: window
SELECT id, amount, rank() OVER (ORDER BY amount DESC) AS r, dense_rank() OVER (ORDER BY amount DESC) AS dr FROM refunds;

-- name: ntile_quartiles
-- needs: window
SELECT id, amount, ntile(4) OVER (ORDER BY amount, id) AS quartile FROM refunds;

-- name: lag_lead
-- needs: window
SELECT id, created, lag(amount) OVER (ORDER BY created, id) AS prev, lead(amount) OVER (ORDER BY created, id) AS next FROM payouts WHERE created >= '2024-03-01';

-- name: first_last_value
-- needs: window
SELECT id, first_value(id) OVER w AS first, last_value(id) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last
FROM charges WHERE currency = 'gbp' WINDOW w AS (PARTITION BY customer ORDER BY created, id);

-- name: running_total_rows
-- needs: window
SELECT id, amount, sum(amount) OVER (ORDER BY created, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM payouts;

-- name: moving_average_rows
-- needs: window
SELECT id, round(avg(amount) OVER (ORDER BY created, id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), 2) AS ma3 FROM payouts;

-- name: range_frame
-- needs: window
SELECT id, sum(amount) OVER (ORDER BY amount RANGE BETWEEN 1000 PRECEDING AND 1000 FOLLOWING) AS near FROM refunds;

-- name: share_of_partition
-- needs: window
SELECT id, currency, amount, round(100.0 * amount / sum(amount) OVER (PARTITION BY currency), 3) AS pct FROM charges WHERE created >= '2024-05-01';

-- name: top_charge_per_currency
-- needs: window
SELECT currency, id, amount FROM (SELECT currency, id, amount, row_number() OVER (PARTITION BY currency ORDER BY amount DESC, id) AS rn FROM charges) t WHERE rn = 1;

-- name: cohort_retention_window
-- needs: window
SELECT customer, date_trunc('month', created) AS month,
       date_trunc('month', min(created) OVER (PARTITION BY customer)) AS cohort
FROM charges WHERE currency = 'cad';

-- ===== Analyst SQL: grouping sets, percentiles =====

-- name: grouping_sets
-- needs: grouping_sets
SELECT currency, status, count(*) FROM charges GROUP BY GROUPING SETS ((currency), (status), ());

-- name: rollup
-- needs: grouping_sets
SELECT currency, status, sum(amount) FROM charges GROUP BY ROLLUP (currency, status);

-- name: cube
-- needs: grouping_sets
SELECT refunded, disputed, count(*) FROM charges GROUP BY CUBE (refunded, disputed);

-- name: grouping_function
-- needs: grouping_sets
SELECT currency, grouping(currency) AS g, count(*) FROM charges GROUP BY ROLLUP (currency);

-- name: percentile_cont_median
-- needs: percentile
SELECT currency, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS median FROM charges GROUP BY currency;

-- name: percentile_disc
-- needs: percentile
SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY amount) AS p90 FROM charges;

-- name: percentiles_array
-- needs: percentile
SELECT percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY amount) AS quartiles FROM payouts;

-- ===== Analyst SQL: more windows, set operations, series, grouping sets =====

-- name: percent_rank_cume_dist
SELECT id, percent_rank() OVER (ORDER BY amount) AS pr, cume_dist() OVER (ORDER BY amount) AS cd FROM refunds;

-- name: range_frame_interval
SELECT id, count(*) OVER (ORDER BY created RANGE BETWEEN interval '7 days' PRECEDING AND CURRENT ROW) AS last_week FROM payouts;

-- name: rows_frame_following
SELECT id, sum(amount) OVER (ORDER BY created, id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) AS next3 FROM payouts;

-- name: lead_default_nth_value
SELECT id, lead(amount, 2, -1) OVER (PARTITION BY currency ORDER BY created, id) AS lead2,
       nth_value(amount, 2) OVER (PARTITION BY currency ORDER BY created, id) AS second
FROM refunds;

-- name: window_over_grouped_revenue
SELECT currency, sum(amount) AS revenue, rank() OVER (ORDER BY sum(amount) DESC) AS r,
       round(100.0 * sum(amount) / sum(sum(amount)) OVER (), 2) AS share
FROM charges GROUP BY currency ORDER BY r, currency;

-- name: running_count_by_day_desc
SELECT created::date AS day, count(*) OVER (ORDER BY created::date DESC) AS cum FROM payouts ORDER BY day DESC, cum;

-- name: intersect_all_currencies
SELECT currency FROM refunds INTERSECT ALL SELECT currency FROM charges WHERE refunded;

-- name: except_all_statuses
SELECT status FROM charges EXCEPT ALL SELECT status FROM charges WHERE paid;

-- name: union_mixed_numeric_types
SELECT amount FROM refunds UNION SELECT amount_refunded::numeric FROM charges ORDER BY 1 LIMIT 20;

-- name: values_order_limit
VALUES (3, 'c'), (1, 'a'), (2, 'b') ORDER BY 1 DESC LIMIT 2;

-- name: generate_series_integers_join
SELECT g AS bucket, count(r.id) AS n FROM generate_series(0, 9) g LEFT JOIN refunds r ON r.amount / 1000 = g GROUP BY g ORDER BY g;

-- name: generate_series_days_desc
SELECT d::date FROM generate_series(timestamptz '2024-03-10', timestamptz '2024-03-01', interval '-2 days') AS d;

-- name: rollup_with_grouping_order
SELECT currency, refunded, grouping(currency, refunded) AS g, count(*) AS n, sum(amount) AS total
FROM charges GROUP BY ROLLUP (currency, refunded) ORDER BY g, currency, refunded;

-- name: cube_having
SELECT status, paid, count(*) FROM charges GROUP BY CUBE (status, paid) HAVING count(*) > 1;

-- name: mode_and_stddev
SELECT currency, mode() WITHIN GROUP (ORDER BY status) AS common_status, round(stddev_pop(amount), 3) AS sd FROM charges GROUP BY currency;

-- name: percentile_disc_desc
SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY amount DESC) AS p, percentile_cont(0.1) WITHIN GROUP (ORDER BY amount) AS p10 FROM refunds;

-- name: jsonb_minus_keys
SELECT id, metadata - ARRAY['plan', 'tier'] AS rest FROM customers;
