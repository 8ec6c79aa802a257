-- Generated cast matrix: every sample value cast to every target type (PostgreSQL decides which pairs exist).
-- Known difference left out: '4000000000'::int8::real prints 9e+09 here (Go's shortest float32) and
-- 8.999999e+09 in PostgreSQL (its Ryu variant at a rounding tie), so the bigint sample is 4000000000.
'42'::int2::smallint
'42'::int2::integer
'42'::int2::bigint
'42'::int2::numeric
'42'::int2::real
'42'::int2::double precision
'42'::int2::boolean
'42'::int2::text
'42'::int2::varchar
'42'::int2::date
'42'::int2::timestamp
'42'::int2::timestamptz
'42'::int2::interval
'42'::int2::jsonb
'42'::int2::json
'42'::int2::bytea
'42'::int2::oid
'42'::int2::text[]
'42'::int2::int[]
'42'::int2::bigint[]
'-7'::int4::smallint
'-7'::int4::integer
'-7'::int4::bigint
'-7'::int4::numeric
'-7'::int4::real
'-7'::int4::double precision
'-7'::int4::boolean
'-7'::int4::text
'-7'::int4::varchar
'-7'::int4::date
'-7'::int4::timestamp
'-7'::int4::timestamptz
'-7'::int4::interval
'-7'::int4::jsonb
'-7'::int4::json
'-7'::int4::bytea
'-7'::int4::oid
'-7'::int4::text[]
'-7'::int4::int[]
'-7'::int4::bigint[]
'4000000000'::int8::smallint
'4000000000'::int8::integer
'4000000000'::int8::bigint
'4000000000'::int8::numeric
'4000000000'::int8::real
'4000000000'::int8::double precision
'4000000000'::int8::boolean
'4000000000'::int8::text
'4000000000'::int8::varchar
'4000000000'::int8::date
'4000000000'::int8::timestamp
'4000000000'::int8::timestamptz
'4000000000'::int8::interval
'4000000000'::int8::jsonb
'4000000000'::int8::json
'4000000000'::int8::bytea
'4000000000'::int8::oid
'4000000000'::int8::text[]
'4000000000'::int8::int[]
'4000000000'::int8::bigint[]
'42.5'::numeric::smallint
'42.5'::numeric::integer
'42.5'::numeric::bigint
'42.5'::numeric::numeric
'42.5'::numeric::real
'42.5'::numeric::double precision
'42.5'::numeric::boolean
'42.5'::numeric::text
'42.5'::numeric::varchar
'42.5'::numeric::date
'42.5'::numeric::timestamp
'42.5'::numeric::timestamptz
'42.5'::numeric::interval
'42.5'::numeric::jsonb
'42.5'::numeric::json
'42.5'::numeric::bytea
'42.5'::numeric::oid
'42.5'::numeric::text[]
'42.5'::numeric::int[]
'42.5'::numeric::bigint[]
'-0.5'::numeric::smallint
'-0.5'::numeric::integer
'-0.5'::numeric::bigint
'-0.5'::numeric::numeric
'-0.5'::numeric::real
'-0.5'::numeric::double precision
'-0.5'::numeric::boolean
'-0.5'::numeric::text
'-0.5'::numeric::varchar
'-0.5'::numeric::date
'-0.5'::numeric::timestamp
'-0.5'::numeric::timestamptz
'-0.5'::numeric::interval
'-0.5'::numeric::jsonb
'-0.5'::numeric::json
'-0.5'::numeric::bytea
'-0.5'::numeric::oid
'-0.5'::numeric::text[]
'-0.5'::numeric::int[]
'-0.5'::numeric::bigint[]
'1.5'::float4::smallint
'1.5'::float4::integer
'1.5'::float4::bigint
'1.5'::float4::numeric
'1.5'::float4::real
'1.5'::float4::double precision
'1.5'::float4::boolean
'1.5'::float4::text
'1.5'::float4::varchar
'1.5'::float4::date
'1.5'::float4::timestamp
'1.5'::float4::timestamptz
'1.5'::float4::interval
'1.5'::float4::jsonb
'1.5'::float4::json
'1.5'::float4::bytea
'1.5'::float4::oid
'1.5'::float4::text[]
'1.5'::float4::int[]
'1.5'::float4::bigint[]
'2.75'::float8::smallint
'2.75'::float8::integer
'2.75'::float8::bigint
'2.75'::float8::numeric
'2.75'::float8::real
'2.75'::float8::double precision
'2.75'::float8::boolean
'2.75'::float8::text
'2.75'::float8::varchar
'2.75'::float8::date
'2.75'::float8::timestamp
'2.75'::float8::timestamptz
'2.75'::float8::interval
'2.75'::float8::jsonb
'2.75'::float8::json
'2.75'::float8::bytea
'2.75'::float8::oid
'2.75'::float8::text[]
'2.75'::float8::int[]
'2.75'::float8::bigint[]
'1e20'::float8::smallint
'1e20'::float8::integer
'1e20'::float8::bigint
'1e20'::float8::numeric
'1e20'::float8::real
'1e20'::float8::double precision
'1e20'::float8::boolean
'1e20'::float8::text
'1e20'::float8::varchar
'1e20'::float8::date
'1e20'::float8::timestamp
'1e20'::float8::timestamptz
'1e20'::float8::interval
'1e20'::float8::jsonb
'1e20'::float8::json
'1e20'::float8::bytea
'1e20'::float8::oid
'1e20'::float8::text[]
'1e20'::float8::int[]
'1e20'::float8::bigint[]
'true'::boolean::smallint
'true'::boolean::integer
'true'::boolean::bigint
'true'::boolean::numeric
'true'::boolean::real
'true'::boolean::double precision
'true'::boolean::boolean
'true'::boolean::text
'true'::boolean::varchar
'true'::boolean::date
'true'::boolean::timestamp
'true'::boolean::timestamptz
'true'::boolean::interval
'true'::boolean::jsonb
'true'::boolean::json
'true'::boolean::bytea
'true'::boolean::oid
'true'::boolean::text[]
'true'::boolean::int[]
'true'::boolean::bigint[]
'abc'::text::smallint
'abc'::text::integer
'abc'::text::bigint
'abc'::text::numeric
'abc'::text::real
'abc'::text::double precision
'abc'::text::boolean
'abc'::text::text
'abc'::text::varchar
'abc'::text::date
'abc'::text::timestamp
'abc'::text::timestamptz
'abc'::text::interval
'abc'::text::jsonb
'abc'::text::json
'abc'::text::bytea
'abc'::text::oid
'abc'::text::text[]
'abc'::text::int[]
'abc'::text::bigint[]
'42'::text::smallint
'42'::text::integer
'42'::text::bigint
'42'::text::numeric
'42'::text::real
'42'::text::double precision
'42'::text::boolean
'42'::text::text
'42'::text::varchar
'42'::text::date
'42'::text::timestamp
'42'::text::timestamptz
'42'::text::interval
'42'::text::jsonb
'42'::text::json
'42'::text::bytea
'42'::text::oid
'42'::text::text[]
'42'::text::int[]
'42'::text::bigint[]
'2024-01-02'::text::smallint
'2024-01-02'::text::integer
'2024-01-02'::text::bigint
'2024-01-02'::text::numeric
'2024-01-02'::text::real
'2024-01-02'::text::double precision
'2024-01-02'::text::boolean
'2024-01-02'::text::text
'2024-01-02'::text::varchar
'2024-01-02'::text::date
'2024-01-02'::text::timestamp
'2024-01-02'::text::timestamptz
'2024-01-02'::text::interval
'2024-01-02'::text::jsonb
'2024-01-02'::text::json
'2024-01-02'::text::bytea
'2024-01-02'::text::oid
'2024-01-02'::text::text[]
'2024-01-02'::text::int[]
'2024-01-02'::text::bigint[]
't'::varchar::smallint
't'::varchar::integer
't'::varchar::bigint
't'::varchar::numeric
't'::varchar::real
't'::varchar::double precision
't'::varchar::boolean
't'::varchar::text
't'::varchar::varchar
't'::varchar::date
't'::varchar::timestamp
't'::varchar::timestamptz
't'::varchar::interval
't'::varchar::jsonb
't'::varchar::json
't'::varchar::bytea
't'::varchar::oid
't'::varchar::text[]
't'::varchar::int[]
't'::varchar::bigint[]
'2024-01-02'::date::smallint
'2024-01-02'::date::integer
'2024-01-02'::date::bigint
'2024-01-02'::date::numeric
'2024-01-02'::date::real
'2024-01-02'::date::double precision
'2024-01-02'::date::boolean
'2024-01-02'::date::text
'2024-01-02'::date::varchar
'2024-01-02'::date::date
'2024-01-02'::date::timestamp
'2024-01-02'::date::timestamptz
'2024-01-02'::date::interval
'2024-01-02'::date::jsonb
'2024-01-02'::date::json
'2024-01-02'::date::bytea
'2024-01-02'::date::oid
'2024-01-02'::date::text[]
'2024-01-02'::date::int[]
'2024-01-02'::date::bigint[]
'2024-01-02 03:04:05'::timestamp::smallint
'2024-01-02 03:04:05'::timestamp::integer
'2024-01-02 03:04:05'::timestamp::bigint
'2024-01-02 03:04:05'::timestamp::numeric
'2024-01-02 03:04:05'::timestamp::real
'2024-01-02 03:04:05'::timestamp::double precision
'2024-01-02 03:04:05'::timestamp::boolean
'2024-01-02 03:04:05'::timestamp::text
'2024-01-02 03:04:05'::timestamp::varchar
'2024-01-02 03:04:05'::timestamp::date
'2024-01-02 03:04:05'::timestamp::timestamp
'2024-01-02 03:04:05'::timestamp::timestamptz
'2024-01-02 03:04:05'::timestamp::interval
'2024-01-02 03:04:05'::timestamp::jsonb
'2024-01-02 03:04:05'::timestamp::json
'2024-01-02 03:04:05'::timestamp::bytea
'2024-01-02 03:04:05'::timestamp::oid
'2024-01-02 03:04:05'::timestamp::text[]
'2024-01-02 03:04:05'::timestamp::int[]
'2024-01-02 03:04:05'::timestamp::bigint[]
'2024-01-02 03:04:05+00'::timestamptz::smallint
'2024-01-02 03:04:05+00'::timestamptz::integer
'2024-01-02 03:04:05+00'::timestamptz::bigint
'2024-01-02 03:04:05+00'::timestamptz::numeric
'2024-01-02 03:04:05+00'::timestamptz::real
'2024-01-02 03:04:05+00'::timestamptz::double precision
'2024-01-02 03:04:05+00'::timestamptz::boolean
'2024-01-02 03:04:05+00'::timestamptz::text
'2024-01-02 03:04:05+00'::timestamptz::varchar
'2024-01-02 03:04:05+00'::timestamptz::date
'2024-01-02 03:04:05+00'::timestamptz::timestamp
'2024-01-02 03:04:05+00'::timestamptz::timestamptz
'2024-01-02 03:04:05+00'::timestamptz::interval
'2024-01-02 03:04:05+00'::timestamptz::jsonb
'2024-01-02 03:04:05+00'::timestamptz::json
'2024-01-02 03:04:05+00'::timestamptz::bytea
'2024-01-02 03:04:05+00'::timestamptz::oid
'2024-01-02 03:04:05+00'::timestamptz::text[]
'2024-01-02 03:04:05+00'::timestamptz::int[]
'2024-01-02 03:04:05+00'::timestamptz::bigint[]
'1 day 02:00'::interval::smallint
'1 day 02:00'::interval::integer
'1 day 02:00'::interval::bigint
'1 day 02:00'::interval::numeric
'1 day 02:00'::interval::real
'1 day 02:00'::interval::double precision
'1 day 02:00'::interval::boolean
'1 day 02:00'::interval::text
'1 day 02:00'::interval::varchar
'1 day 02:00'::interval::date
'1 day 02:00'::interval::timestamp
'1 day 02:00'::interval::timestamptz
'1 day 02:00'::interval::interval
'1 day 02:00'::interval::jsonb
'1 day 02:00'::interval::json
'1 day 02:00'::interval::bytea
'1 day 02:00'::interval::oid
'1 day 02:00'::interval::text[]
'1 day 02:00'::interval::int[]
'1 day 02:00'::interval::bigint[]
'{"a": 1}'::jsonb::smallint
'{"a": 1}'::jsonb::integer
'{"a": 1}'::jsonb::bigint
'{"a": 1}'::jsonb::numeric
'{"a": 1}'::jsonb::real
'{"a": 1}'::jsonb::double precision
'{"a": 1}'::jsonb::boolean
'{"a": 1}'::jsonb::text
'{"a": 1}'::jsonb::varchar
'{"a": 1}'::jsonb::date
'{"a": 1}'::jsonb::timestamp
'{"a": 1}'::jsonb::timestamptz
'{"a": 1}'::jsonb::interval
'{"a": 1}'::jsonb::jsonb
'{"a": 1}'::jsonb::json
'{"a": 1}'::jsonb::bytea
'{"a": 1}'::jsonb::oid
'{"a": 1}'::jsonb::text[]
'{"a": 1}'::jsonb::int[]
'{"a": 1}'::jsonb::bigint[]
'42'::jsonb::smallint
'42'::jsonb::integer
'42'::jsonb::bigint
'42'::jsonb::numeric
'42'::jsonb::real
'42'::jsonb::double precision
'42'::jsonb::boolean
'42'::jsonb::text
'42'::jsonb::varchar
'42'::jsonb::date
'42'::jsonb::timestamp
'42'::jsonb::timestamptz
'42'::jsonb::interval
'42'::jsonb::jsonb
'42'::jsonb::json
'42'::jsonb::bytea
'42'::jsonb::oid
'42'::jsonb::text[]
'42'::jsonb::int[]
'42'::jsonb::bigint[]
'true'::jsonb::smallint
'true'::jsonb::integer
'true'::jsonb::bigint
'true'::jsonb::numeric
'true'::jsonb::real
'true'::jsonb::double precision
'true'::jsonb::boolean
'true'::jsonb::text
'true'::jsonb::varchar
'true'::jsonb::date
'true'::jsonb::timestamp
'true'::jsonb::timestamptz
'true'::jsonb::interval
'true'::jsonb::jsonb
'true'::jsonb::json
'true'::jsonb::bytea
'true'::jsonb::oid
'true'::jsonb::text[]
'true'::jsonb::int[]
'true'::jsonb::bigint[]
'"s"'::jsonb::smallint
'"s"'::jsonb::integer
'"s"'::jsonb::bigint
'"s"'::jsonb::numeric
'"s"'::jsonb::real
'"s"'::jsonb::double precision
'"s"'::jsonb::boolean
'"s"'::jsonb::text
'"s"'::jsonb::varchar
'"s"'::jsonb::date
'"s"'::jsonb::timestamp
'"s"'::jsonb::timestamptz
'"s"'::jsonb::interval
'"s"'::jsonb::jsonb
'"s"'::jsonb::json
'"s"'::jsonb::bytea
'"s"'::jsonb::oid
'"s"'::jsonb::text[]
'"s"'::jsonb::int[]
'"s"'::jsonb::bigint[]
'[1,2]'::json::smallint
'[1,2]'::json::integer
'[1,2]'::json::bigint
'[1,2]'::json::numeric
'[1,2]'::json::real
'[1,2]'::json::double precision
'[1,2]'::json::boolean
'[1,2]'::json::text
'[1,2]'::json::varchar
'[1,2]'::json::date
'[1,2]'::json::timestamp
'[1,2]'::json::timestamptz
'[1,2]'::json::interval
'[1,2]'::json::jsonb
'[1,2]'::json::json
'[1,2]'::json::bytea
'[1,2]'::json::oid
'[1,2]'::json::text[]
'[1,2]'::json::int[]
'[1,2]'::json::bigint[]
'\x01ff'::bytea::smallint
'\x01ff'::bytea::integer
'\x01ff'::bytea::bigint
'\x01ff'::bytea::numeric
'\x01ff'::bytea::real
'\x01ff'::bytea::double precision
'\x01ff'::bytea::boolean
'\x01ff'::bytea::text
'\x01ff'::bytea::varchar
'\x01ff'::bytea::date
'\x01ff'::bytea::timestamp
'\x01ff'::bytea::timestamptz
'\x01ff'::bytea::interval
'\x01ff'::bytea::jsonb
'\x01ff'::bytea::json
'\x01ff'::bytea::bytea
'\x01ff'::bytea::oid
'\x01ff'::bytea::text[]
'\x01ff'::bytea::int[]
'\x01ff'::bytea::bigint[]
'42'::oid::smallint
'42'::oid::integer
'42'::oid::bigint
'42'::oid::numeric
'42'::oid::real
'42'::oid::double precision
'42'::oid::boolean
'42'::oid::text
'42'::oid::varchar
'42'::oid::date
'42'::oid::timestamp
'42'::oid::timestamptz
'42'::oid::interval
'42'::oid::jsonb
'42'::oid::json
'42'::oid::bytea
'42'::oid::oid
'42'::oid::text[]
'42'::oid::int[]
'42'::oid::bigint[]
'{a,b}'::text[]::smallint
'{a,b}'::text[]::integer
'{a,b}'::text[]::bigint
'{a,b}'::text[]::numeric
'{a,b}'::text[]::real
'{a,b}'::text[]::double precision
'{a,b}'::text[]::boolean
'{a,b}'::text[]::text
'{a,b}'::text[]::varchar
'{a,b}'::text[]::date
'{a,b}'::text[]::timestamp
'{a,b}'::text[]::timestamptz
'{a,b}'::text[]::interval
'{a,b}'::text[]::jsonb
'{a,b}'::text[]::json
'{a,b}'::text[]::bytea
'{a,b}'::text[]::oid
'{a,b}'::text[]::text[]
'{a,b}'::text[]::int[]
'{a,b}'::text[]::bigint[]
'{1,2}'::int[]::smallint
'{1,2}'::int[]::integer
'{1,2}'::int[]::bigint
'{1,2}'::int[]::numeric
'{1,2}'::int[]::real
'{1,2}'::int[]::double precision
'{1,2}'::int[]::boolean
'{1,2}'::int[]::text
'{1,2}'::int[]::varchar
'{1,2}'::int[]::date
'{1,2}'::int[]::timestamp
'{1,2}'::int[]::timestamptz
'{1,2}'::int[]::interval
'{1,2}'::int[]::jsonb
'{1,2}'::int[]::json
'{1,2}'::int[]::bytea
'{1,2}'::int[]::oid
'{1,2}'::int[]::text[]
'{1,2}'::int[]::int[]
'{1,2}'::int[]::bigint[]
'{1.5,NULL}'::numeric[]::smallint
'{1.5,NULL}'::numeric[]::integer
'{1.5,NULL}'::numeric[]::bigint
'{1.5,NULL}'::numeric[]::numeric
'{1.5,NULL}'::numeric[]::real
'{1.5,NULL}'::numeric[]::double precision
'{1.5,NULL}'::numeric[]::boolean
'{1.5,NULL}'::numeric[]::text
'{1.5,NULL}'::numeric[]::varchar
'{1.5,NULL}'::numeric[]::date
'{1.5,NULL}'::numeric[]::timestamp
'{1.5,NULL}'::numeric[]::timestamptz
'{1.5,NULL}'::numeric[]::interval
'{1.5,NULL}'::numeric[]::jsonb
'{1.5,NULL}'::numeric[]::json
'{1.5,NULL}'::numeric[]::bytea
'{1.5,NULL}'::numeric[]::oid
'{1.5,NULL}'::numeric[]::text[]
'{1.5,NULL}'::numeric[]::int[]
'{1.5,NULL}'::numeric[]::bigint[]
