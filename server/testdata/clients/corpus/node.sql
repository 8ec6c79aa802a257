-- The statements node-postgres sent for its metadata calls, captured from PostgreSQL 15 by
-- go test ./server -run TestCaptureClientCorpus -capture; do not edit by hand.

-- call: parameterised
-- params: ["x","cus_none"]
SELECT $1::text AS t, count(*) AS n FROM customers WHERE id = $2

-- call: information_schema-table
-- params: ["customers"]
select * from information_schema.tables where table_name = $1 and table_schema = current_schema()

-- call: information_schema-columns
-- params: ["customers"]
select * from information_schema.columns where table_name = $1 and table_catalog = current_database() and table_schema = current_schema()

-- call: information_schema-base-tables
SELECT * FROM "information_schema"."tables" WHERE "table_schema" = 'public' AND "table_type" = 'BASE TABLE'

-- call: information_schema-columns-regtype
SELECT *, ('"' || "udt_schema" || '"."' || "udt_name" || '"')::"regtype" AS "regtype" FROM "information_schema"."columns" WHERE ("table_schema" = 'public' AND "table_name" = 'customers')

-- call: pg_constraint-columns
SELECT "ns"."nspname" AS "table_schema", "t"."relname" AS "table_name", "cnst"."conname" AS "constraint_name", pg_get_constraintdef("cnst"."oid") AS "expression", CASE "cnst"."contype" WHEN 'p' THEN 'PRIMARY' WHEN 'u' THEN 'UNIQUE' WHEN 'c' THEN 'CHECK' WHEN 'x' THEN 'EXCLUDE' END AS "constraint_type", "a"."attname" AS "column_name" FROM "pg_constraint" "cnst" INNER JOIN "pg_class" "t" ON "t"."oid" = "cnst"."conrelid" INNER JOIN "pg_namespace" "ns" ON "ns"."oid" = "cnst"."connamespace" LEFT JOIN "pg_attribute" "a" ON "a"."attrelid" = "cnst"."conrelid" AND "a"."attnum" = ANY ("cnst"."conkey") WHERE "t"."relkind" IN ('r', 'p') AND (("ns"."nspname" = 'public' AND "t"."relname" = 'customers'))

