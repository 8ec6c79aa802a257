-- The statements pgx v5 (connect, type loading) and lib/pq sent for its metadata calls, captured from PostgreSQL 15 by
-- go test ./server -run TestCaptureClientCorpus -capture; do not edit by hand.

-- call: pgx-LoadType text[]
-- params: ["text[]"]
select $1::text::regtype::oid;

-- call: pgx-LoadType text[]
-- params: ["1009"]
select typtype::text, typbasetype from pg_type where oid=$1

-- call: pgx-LoadType text[]
-- params: ["1009"]
select typelem, typdelim::text from pg_type where oid=$1

-- call: pgx-LoadType _int8
-- params: ["_int8"]
select $1::text::regtype::oid;

-- call: pgx-LoadType _int8
-- params: ["1016"]
select typtype::text, typbasetype from pg_type where oid=$1

-- call: pgx-LoadType _int8
-- params: ["1016"]
select typelem, typdelim::text from pg_type where oid=$1

-- call: pgx-LoadType jsonb[]
-- params: ["jsonb[]"]
select $1::text::regtype::oid;

-- call: pgx-LoadType jsonb[]
-- params: ["3807"]
select typtype::text, typbasetype from pg_type where oid=$1

-- call: pgx-LoadType jsonb[]
-- params: ["3807"]
select typelem, typdelim::text from pg_type where oid=$1

-- call: pgx-LoadType timestamptz[]
-- params: ["timestamptz[]"]
select $1::text::regtype::oid;

-- call: pgx-LoadType timestamptz[]
-- params: ["1185"]
select typtype::text, typbasetype from pg_type where oid=$1

-- call: pgx-LoadType timestamptz[]
-- params: ["1185"]
select typelem, typdelim::text from pg_type where oid=$1

-- call: libpq-query
-- params: ["public"]
SELECT count(*) FROM information_schema.tables WHERE table_schema = $1

