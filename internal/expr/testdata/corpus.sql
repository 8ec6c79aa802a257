-- One scalar expression per line. Each is evaluated by PostgreSQL 15 (TimeZone UTC) and by expr;
-- the text outputs (or SQLSTATE codes) must agree. Lines starting with -- are comments.
-- comparisons and three-valued logic
1 = 1
1 < 2.5
2 > 1::bigint
'abc' < 'abd'
'a' = 'a '
'B' < 'a'
NULL = 1
1 <> NULL
true AND NULL
false AND NULL
true OR NULL
false OR NULL
NOT NULL::boolean
NOT (1 = 2)
1.0 = 1
1.5::float8 = 1.5
'NaN'::float8 = 'NaN'::float8
'NaN'::float8 > 'Infinity'::float8
'2024-01-01'::date < '2024-01-01 00:00:01'::timestamp
'2024-01-01'::date = '2024-01-01 00:00:00+00'::timestamptz
'1 day'::interval = '24 hours'::interval
'1 mon'::interval = '30 days'::interval
'{"a":1}'::jsonb = '{"a": 1}'::jsonb
ARRAY[1,2] < ARRAY[1,3]
ARRAY[1,2,3] = ARRAY[1,2,3]
1 = '1'
'x' = 1
true = 't'
-- arithmetic
1 + 2
7 / 2
-7 / 2
7 % 3
-7 % 3
7.0 / 2
1 / 3.0
10::numeric / 4
2 ^ 10
2.0 ^ 3
1.5 * 2.25
0.1 + 0.2
0.1::float8 + 0.2::float8
1e6::float8
1e15::float8
1e-5::float8
123456789012345.0::float8
1.0 / 0
1 / 0
5 % 0
2147483647 + 1
9223372036854775807 + 1
2147483647::bigint + 1
-2147483648::int4
- 5
+ 5
-(2::smallint)
32767::smallint + 1::smallint
1 + 1.5
1::int2 + 1::int8
3.14159::numeric(10,2)
100.0 / 3
2 * '3'
'3' * 2
10 / 4.0
-- numeric and float text output
1.50
0.000
-0.5
12345678901234567890
1e20::float8
1.0e-10::float8
3.0::float4
0.1::float4
'Infinity'::float8
'-inf'::float8
'nan'::numeric
-- strings
'abc' || 'def'
'abc' || 1
1 || 'abc'
'a' || NULL
'a' || true
lower('ABC')
upper('abc')
length('héllo')
char_length('abc')
octet_length('héllo')
substr('hello', 2, 3)
substr('hello', 0, 3)
substr('hello', 3)
substring('hello' from 2 for 2)
substring('hello' from 'l+')
substring('abc123' from '[0-9]+')
position('l' in 'hello')
strpos('hello', 'lo')
trim('  x  ')
trim(both 'x' from 'xxaxx')
trim(leading 'x' from 'xxaxx')
trim(trailing 'x' from 'xxaxx')
btrim('--a--', '-')
ltrim('  a')
rtrim('a  ')
replace('hello world', 'o', '0')
split_part('a,b,c', ',', 2)
split_part('a,b,c', ',', 5)
split_part('a,b,c', ',', -1)
split_part('a,b,c', ',', 0)
concat('a', 1, NULL, true)
concat_ws('-', 'a', NULL, 'b', 2)
left('hello', 2)
left('hello', -2)
right('hello', 2)
right('hello', -2)
lpad('5', 3, '0')
lpad('hello', 3)
rpad('ab', 5, 'xy')
repeat('ab', 3)
repeat('ab', 0)
reverse('abc')
initcap('hello wORLD foo_bar')
md5('abc')
starts_with('hello', 'he')
format('%s-%s', 'a', 1)
format('%I', 'Foo Bar')
format('%L', 'it''s')
format('%L', NULL)
format('%%')
regexp_replace('aaa', 'a', 'b')
regexp_replace('aaa', 'a', 'b', 'g')
regexp_replace('Hello World', '(\w+) (\w+)', '\2 \1')
regexp_match('foo123bar', '[0-9]+')
regexp_match('foo123bar', '([a-z]+)([0-9]+)')
to_hex(255)
to_hex(-1)
to_hex(4294967296::bigint)
ascii('A')
chr(65)
quote_ident('select')
quote_ident('abc')
quote_literal('a''b')
translate('hello', 'el', 'ip')
'abc' LIKE 'a%'
'abc' LIKE 'A%'
'abc' ILIKE 'A%'
'abc' NOT LIKE '_b_'
'a_c' LIKE 'a\_c'
'abc' LIKE 'a\_c'
'100%' LIKE '100\%'
'abc' ~ '^a'
'abc' ~* '^A'
'abc' !~ 'z'
NULL LIKE 'a'
'abc' LIKE 'abc\'
-- IN, BETWEEN, DISTINCT, boolean tests
1 IN (1, 2, 3)
4 IN (1, 2, 3)
4 IN (1, NULL)
1 IN (1, NULL)
4 NOT IN (1, NULL)
4 NOT IN (1, 2)
NULL IN (1, 2)
'a' IN ('a', 'b')
2 BETWEEN 1 AND 3
2 BETWEEN 3 AND 1
2 BETWEEN SYMMETRIC 3 AND 1
2 NOT BETWEEN 1 AND 3
NULL BETWEEN 1 AND 2
5 BETWEEN NULL AND 2
1 IS DISTINCT FROM NULL
NULL IS DISTINCT FROM NULL
NULL IS NOT DISTINCT FROM NULL
1 IS NOT DISTINCT FROM 1.0
NULL IS NULL
1 IS NOT NULL
NULL::boolean IS TRUE
NULL::boolean IS NOT TRUE
false IS FALSE
true IS NOT FALSE
NULL::boolean IS UNKNOWN
true IS NOT UNKNOWN
-- CASE, COALESCE, NULLIF, GREATEST, LEAST
CASE WHEN 1 = 1 THEN 'a' ELSE 'b' END
CASE WHEN 1 = 2 THEN 'a' END
CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END
CASE WHEN NULL THEN 1 ELSE 2 END
CASE WHEN true THEN 1 ELSE 2.5 END
CASE WHEN false THEN 1 / 0 ELSE 0 END
COALESCE(NULL, 2, 3)
COALESCE(NULL, NULL)
COALESCE(NULL, 1.5, 2)
NULLIF(1, 1)
NULLIF(1, 2)
NULLIF('a', 'b')
GREATEST(1, 5, 3)
GREATEST(1, NULL, 3)
LEAST(2.5, 1, 3)
LEAST('b', 'a', 'c')
GREATEST(NULL::int, NULL)
-- casts
'123'::int
' 42 '::int
'12x'::int
'99999999999'::int
'3.7'::numeric::int
3.5::int
2.5::int
-2.5::int
2.5::float8::int
3.5::float8::int
'1e3'::float8
'abc'::float8
'true'::boolean
'yes'::boolean
'off'::boolean
'maybe'::boolean
1::boolean
0::boolean
true::int
true::text
1::text
1.50::text
'2024-01-02'::date
'2024-13-02'::date
'2024-02-30'::date
'not a date'::date
'2024-01-02 03:04:05'::timestamp
'2024-01-02 03:04:05.123'::timestamptz
'2024-01-02T03:04:05Z'::timestamptz
'2024-01-02 03:04:05+02'::timestamptz
'2024-01-02 03:04:05-05:30'::timestamptz
'2024-01-02 03:04'::timestamptz
'2024-01-02'::timestamptz
'epoch'::timestamptz
'2024-01-02 03:04:05+00'::timestamptz::date
'2024-01-02 03:04:05'::timestamp::timestamptz
'2024-01-02'::date::timestamp
'2024-01-02 03:04:05.5'::timestamp::text
'1 day'::interval
'30 days'::interval
'1 hour'::interval
'2 mons 3 days 04:05:06'::interval
'1 year 2 months'::interval
'1.5 days'::interval
'1.5 months'::interval
'90 minutes'::interval
'-1 day'::interval
'1 day -02:00:00'::interval
'P1D'::interval
'PT1H30M'::interval
'P1Y2M3DT4H5M6S'::interval
'@ 1 day ago'::interval
'2 weeks'::interval
'0 seconds'::interval
'1.25 seconds'::interval
'abc'::interval
'{"b": [1, 2], "a": 1}'::jsonb
'{"aa": 1, "b": 2, "a": 3}'::jsonb
'[1, "x", null, true, 1.50]'::jsonb
'"str"'::jsonb
'{bad'::jsonb
'{"a":1}'::jsonb::text
'1.5'::jsonb::numeric
'true'::jsonb::boolean
'12'::jsonb::int
'"x"'::jsonb::int
'\x6869'::bytea
'abc'::bytea
'{1,2,3}'::int[]
'{a,"b c",NULL,""}'::text[]
'{"x\"y"}'::text[]
ARRAY['a', 'b c', NULL]
ARRAY[1, 2] || 3
NULL::text[] || ARRAY['a']
ARRAY['a'] || NULL::text[]
NULL::text[] || NULL::text[]
array_to_string(NULL::text[] || ARRAY[]::text[], ', ')
0 || ARRAY[1, 2]
ARRAY[1, 2] || ARRAY[3]
ARRAY[1.5, 2]
(ARRAY[10, 20, 30])[2]
(ARRAY[10, 20, 30])[5]
'2024-01-02'::date::text
42::numeric(10,3)
'  12.5  '::numeric
'1,000'::numeric
12::oid
-- math functions
round(2.5)
round(-2.5)
round(2.5::float8)
round(3.5::float8)
round(1.23456, 2)
round(1234.5, -2)
round(5)
trunc(1.789, 2)
trunc(-1.7)
abs(-5)
abs(-5.5)
abs(-2147483648)
floor(-1.5)
floor(1.5::float8)
ceil(1.2)
ceiling(-1.2)
mod(7, 3)
mod(-7, 3)
mod(7.5, 2)
mod(5, 0)
power(2, 10)
power(2.0, 0.5)
power(2.0, 3)
sqrt(2)
sqrt(2::numeric)
sqrt(16::numeric)
sqrt(-1)
sign(-3.5)
sign(0)
div(7, 2)
div(-7.5, 2)
exp(1)
ln(10)
log10(1000)
pi()
-- date and time
date_trunc('month', '2024-03-15 10:11:12'::timestamp)
date_trunc('day', '2024-03-15 10:11:12+00'::timestamptz)
date_trunc('week', '2024-03-15'::timestamp)
date_trunc('quarter', '2024-05-15'::timestamptz)
date_trunc('year', '2024-05-15'::timestamptz)
date_trunc('hour', '2024-05-15 10:59:59'::timestamp)
date_trunc('fortnight', '2024-05-15'::timestamp)
extract(year from '2024-03-15 10:11:12+00'::timestamptz)
extract(month from '2024-03-15'::date)
extract(day from '2024-03-15'::timestamp)
extract(hour from '2024-03-15 10:11:12'::timestamp)
extract(minute from '2024-03-15 10:11:12'::timestamp)
extract(second from '2024-03-15 10:11:12.5'::timestamp)
extract(epoch from '2024-03-15 10:11:12+00'::timestamptz)
extract(epoch from '2024-03-15'::date)
extract(dow from '2024-03-17'::date)
extract(isodow from '2024-03-17'::date)
extract(doy from '2024-03-15'::date)
extract(week from '2024-01-01'::date)
extract(quarter from '2024-08-01'::date)
extract(century from '2024-08-01'::date)
extract(epoch from '1 day 01:00:00'::interval)
extract(hour from '1 day 05:00:00'::interval)
extract(hour from '2024-03-15'::date)
date_part('year', '2024-03-15'::timestamp)
date_part('epoch', '2024-03-15 00:00:01+00'::timestamptz)
to_timestamp(0)
to_timestamp(1700000000.5)
to_char('2024-03-05 14:07:09'::timestamp, 'YYYY-MM-DD HH24:MI:SS')
to_char('2024-03-05 14:07:09'::timestamp, 'Mon DD, YYYY')
to_char('2024-03-05 14:07:09'::timestamp, 'Month')
to_char('2024-03-05 14:07:09'::timestamp, 'FMMonth')
to_char('2024-03-05 14:07:09'::timestamp, 'Day Dy')
to_char('2024-03-05 14:07:09'::timestamp, 'YYYY-MM')
to_char('2024-03-05 14:07:09'::timestamp, 'Q WW IW DDD')
to_char('2024-03-05 14:07:09'::timestamp, 'HH12:MI AM')
to_char('2024-03-05 14:07:09+00'::timestamptz, 'YYYY-MM-DD HH24:MI:SS TZ')
to_char('2024-03-05'::date, 'DD/MM/YYYY')
to_char('2024-03-05 14:07:09'::timestamp, '"Year:" YYYY')
age('2024-03-15'::timestamp, '2023-01-20'::timestamp)
age('2024-01-01'::timestamp, '2024-03-15 12:00'::timestamp)
age('2024-03-01'::timestamptz, '2024-01-31'::timestamptz)
make_date(2024, 2, 29)
make_date(2023, 2, 29)
make_timestamp(2024, 1, 2, 3, 4, 5.5)
make_interval(0, 1, 0, 2, 3)
'2024-01-31'::date + 1
'2024-01-31'::date - 1
'2024-03-01'::date - '2024-01-01'::date
'2024-01-31'::date + '1 month'::interval
'2024-01-31 10:00:00+00'::timestamptz + '1 month'::interval
'2024-01-01 10:00:00+00'::timestamptz - '30 days'::interval
'2024-03-01 00:00:00+00'::timestamptz - '2024-01-01 12:00:00+00'::timestamptz
'2024-03-01 00:00:00'::timestamp - '2024-03-01 01:30:00'::timestamp
'1 day'::interval + '2 hours'::interval
'1 day'::interval * 3
'1 hour'::interval * 1.5
'3 days'::interval / 2
-'1 day 02:00'::interval
'2024-01-01 12:00:00+00'::timestamptz AT TIME ZONE 'America/New_York'
'2024-01-01 12:00:00'::timestamp AT TIME ZONE 'Asia/Tokyo'
'2024-07-01 12:00:00+00'::timestamptz AT TIME ZONE 'Europe/Paris'
'2024-01-01 12:00:00+00'::timestamptz AT TIME ZONE 'UTC'
justify_days('35 days'::interval)
justify_hours('27 hours'::interval)
justify_interval('1 mon -1 hour'::interval)
'2024-01-01'::timestamptz + '1 day'
-- jsonb
'{"a": {"b": 2}}'::jsonb -> 'a'
'{"a": {"b": 2}}'::jsonb -> 'a' -> 'b'
'{"a": "x"}'::jsonb ->> 'a'
'{"a": null}'::jsonb ->> 'a'
'{"a": null}'::jsonb -> 'a'
'[10, 20, 30]'::jsonb -> 1
'[10, 20, 30]'::jsonb -> -1
'[10, 20, 30]'::jsonb ->> 5
'{"a": {"b": [1, 2]}}'::jsonb #> '{a,b}'
'{"a": {"b": [1, 2]}}'::jsonb #>> '{a,b,1}'
'{"a": 1}'::jsonb ? 'a'
'{"a": 1}'::jsonb ? 'b'
'["a", "b"]'::jsonb ? 'a'
'{"a": 1, "b": 2}'::jsonb ?| ARRAY['b', 'c']
'{"a": 1, "b": 2}'::jsonb ?& ARRAY['a', 'c']
'{"a": 1, "b": {"c": 2}}'::jsonb @> '{"b": {"c": 2}}'
'{"a": 1}'::jsonb <@ '{"a": 1, "b": 2}'
'[1, 2, 3]'::jsonb @> '[3, 1]'
'{"a": 1}'::jsonb || '{"b": 2}'::jsonb
'[1]'::jsonb || '[2, 3]'::jsonb
jsonb_array_length('[1, 2, 3]')
jsonb_array_length('{"a": 1}')
jsonb_typeof('{"a": 1}')
jsonb_typeof('[1]')
jsonb_typeof('1.5')
jsonb_typeof('"s"')
jsonb_typeof('null')
jsonb_extract_path('{"a": {"b": 1}}', 'a', 'b')
jsonb_extract_path_text('{"a": {"b": "x"}}', 'a', 'b')
jsonb_build_object('a', 1, 'b', 'x', 'c', NULL)
jsonb_build_array(1, 'a', true, NULL, 2.50)
to_jsonb('hello'::text)
to_jsonb(ARRAY[1, 2])
to_jsonb('2024-01-02 03:04:05+00'::timestamptz)
jsonb_pretty('{"a": [1, {"b": 2}], "c": {}}')
'{"a": 1}'::jsonb -> 'a' = '1'::jsonb
('{"n": 5}'::jsonb ->> 'n')::int + 1
-- arrays
array_length(ARRAY[1, 2, 3], 1)
array_length(ARRAY[1, 2, 3], 2)
array_lower(ARRAY[1, 2], 1)
array_upper(ARRAY[1, 2], 1)
cardinality(ARRAY[1, 2, 3])
array_to_string(ARRAY['a', NULL, 'c'], ',')
array_to_string(ARRAY['a', NULL, 'c'], ',', '*')
array_to_string(ARRAY[1, 2], '-')
array_position(ARRAY['a', 'b'], 'b')
string_to_array('a,b,,c', ',')
string_to_array('a,b,,c', ',', '')
1 = ANY(ARRAY[1, 2])
3 = ANY(ARRAY[1, 2])
3 = ANY(ARRAY[1, NULL])
3 <> ALL(ARRAY[1, 2])
1 < ALL(ARRAY[2, 3])
'ab' LIKE ANY(ARRAY['a%', 'z%'])
ARRAY[1, 2] @> ARRAY[2]
ARRAY[1, 2] && ARRAY[3, 2]
-- operator and function errors
'a' + 1
1 + true
lower(1)
nosuchfunc(1)
'abc' - 'b'
'2024-01-01'::date + '2024-01-01'::date
-- second batch: edge cases
'abc'::name = 'abc'::text
'abc'::varchar = 'abc'
CASE WHEN true THEN 'a' ELSE NULL END
2147483647 * 2
9223372036854775807 * 2
-(-9223372036854775807 - 1)
(-2147483648)::int4 / -1
5::int2 * 10000::int2
1 / 0.0::float8
'1e308'::float8 * 10
2 ^ 1024
1::numeric / 7
22 / 7.0
100::numeric / 8
1 / 3::numeric * 3
round(-0.5)
round(0.5)
round(1.005, 2)
trunc(1234.567, -2)
'1.5'::int
'  true '::boolean
'TRUE'::boolean
'9223372036854775808'::bigint
''::int
'infinity'::float8
'-0'::float8
0.0::float8 * -1
'2024-02-29'::date + '1 year'::interval
'1 year'::interval
'25 hours'::interval
'1 mon'::interval * 0.5
'1 day'::interval / 3
'a.c' LIKE 'a.c'
'abc' LIKE 'a.c'
'a+b' LIKE 'a+b'
'[x]' LIKE '[x]'
E'a\nb' LIKE 'a%b'
ARRAY['a,b', 'c"d', 'e\f', 'NULL', '']
'"a\nb"'::jsonb
'"é"'::jsonb
'{"a":"\u00e9"}'::jsonb
'[1e2, 1.0, -0, 0.1e-3]'::jsonb
'{"a":1,"a":2}'::jsonb
'{"a": 1}'::jsonb -> 0
'[1, 2]'::jsonb @> '1'
''::bytea
ARRAY[true, false]
0.1::float4 + 0.2::float4
1.1::float4 * 3
GREATEST(1, 2.5, 2)
COALESCE(1, 'a')
COALESCE(1, 'a'::text)
CASE WHEN true THEN 1 ELSE 'x'::text END
1 IN (1.0, 2)
'a' IN (1)
1 IS DISTINCT FROM 1.5
'a' || NULL::text
split_part('', ',', 1)
lower(NULL)
length(NULL)
substr('hello', -1, 3)
substr('hello', 1, -1)
position('' in 'abc')
repeat('x', -1)
regexp_replace('aAa', 'a', 'x', 'gi')
format('%s %s', 'a')
concat_ws(NULL, 'a')
md5('')
to_hex(0)
mod(-7.5, 2)
mod(7, -3)
7.5 % 0
power(0, -1)
power(-8, 1.0 / 3)
sqrt(0.25::numeric)
sqrt(1e10::numeric)
round(123.456::float8)
ceil(-0.5::float8)
abs(-0.0::float8)
extract(fortnight from '2024-01-01'::date)
'2024-01-01'::date - '1 day'::interval
'1 year'::interval > '360 days'
'2024-03-31'::timestamp - '1 month'::interval
'2024-01-01'::timestamp + '1.5 days'::interval
age('2024-02-29'::timestamp, '2023-02-28'::timestamp)
to_char('2024-03-05 14:07:09'::timestamp, 'HH:MI:SS PM')
to_char('2024-03-05 14:07:09'::timestamp, 'YYYY"Q"Q')
to_char('2024-12-31 00:00:00'::timestamp, 'IYYY-IW')
to_char('2024-03-05 14:07:09.123456'::timestamp, 'MS US')
'P2W'::interval
'1 week 2 days'::interval
'10:00'::interval
'-2 hours'::interval
'1 hour ago'::interval
'1 day 3 hours 20 minutes ago'::interval
('{a,b}'::text[])[1]
cardinality('{}'::int[])
array_length('{}'::int[], 1)
ARRAY[]::int[]
NULL::int + 1
NULL || 'a'
NOT 't'
't' AND true
1 AND true
CASE 1 WHEN 1.5 THEN 'x' ELSE 'y' END
'1'::text::int + 1
'2024-01-01 10:00'::timestamp::date::text
1::bigint::text
1::int2 / 0
0.1::numeric(3,2) + 1
999.999::numeric(5,2)
'abcd'::varchar(2)
'2024-01-01T10:00:00.123456789Z'::timestamptz
'2024-1-5'::date
'2024-01-01 24:00:00'::timestamp
'2024-01-01 25:00:00'::timestamp
'20240101'::date
'Jan 5 2024'::date
'2024-01-01 10:00:00 UTC'::timestamptz
'2024-01-01 10:00:00 Europe/Paris'::timestamptz
'1.5'::jsonb::int
'1.5'::jsonb::float8
'null'::jsonb::int
'{"a": [1, 2]}'::jsonb -> 'a' ->> 0
jsonb_build_object('k', '{"x": 1}'::jsonb)
jsonb_build_object('n', 1.50::numeric, 'f', 0.1::float8)
to_jsonb(1.5::float8)
to_jsonb(true)
to_jsonb(NULL::text)
jsonb_pretty('[]')
'{"a": 1}'::json
'[1, 2]'::json -> 1
octet_length('é'::text)
initcap('ÉCOLE élève')
upper('straße')
'Straße' ILIKE 'STRASSE'
'ABC' ~* 'b'
'abc' SIMILAR TO 'a%'
-- third batch
'a%c' LIKE 'a!%c' ESCAPE '!'
'abc' LIKE 'a!%c' ESCAPE '!'
'a\c' LIKE 'a\c' ESCAPE ''
'abc' SIMILAR TO '(a|x)bc'
'abc' SIMILAR TO 'a_'
'abc' NOT SIMILAR TO 'b%'
'x' OPERATOR(pg_catalog.~) 'x'
-- fourth batch: intervals in date_trunc and extract, unary and ANY corners
date_trunc('hour', '1 day 05:47:12'::interval)
date_trunc('year', '3 years 5 mons'::interval)
extract(minute from '05:47:12.5'::interval)
extract(second from '05:47:12.5'::interval)
extract(day from '3 days 05:00'::interval)
extract(month from '1 year 5 mons'::interval)
extract(year from '1 year 5 mons'::interval)
extract(epoch from '1 year 1 mon'::interval)
date_part('epoch', '90 minutes'::interval)
- '5'
- 2.5
-'1 day'::interval
NOT true
NULL::int = ANY(ARRAY[1])
1 = ANY('{1,2}')
'a' = ANY('{}'::text[])
1 <> ALL('{}'::int[])
ARRAY[1, 2] || '{3}'
ARRAY['a'] || NULL::text
extract(decade from '2024-05-01'::date)
extract(millennium from '2024-05-01'::date)
extract(isoyear from '2024-12-30'::date)
extract(julian from '2024-05-01'::date)
extract(microseconds from '2024-05-01 10:00:01.5'::timestamp)
extract(milliseconds from '2024-05-01 10:00:01.5'::timestamp)
date_trunc('decade', '2024-05-01'::timestamp)
date_trunc('century', '2024-05-01'::timestamp)
date_trunc('millennium', '2024-05-01'::timestamp)
date_trunc('milliseconds', '2024-05-01 10:00:01.123456'::timestamp)
date_trunc('minute', '2024-05-01 10:07:01'::timestamptz)
to_char('2024-05-01 00:07:01'::timestamp, 'HH12 AM am A.M. p.m.')
to_char('2024-05-01 00:07:01'::timestamp, 'MONTH month MON mon DAY day DY dy')
to_char('2024-05-01 00:07:01'::timestamp, 'YYY YY Y CC D ID W J')
to_char('2024-05-01 00:07:01'::timestamp, 'FMDD FMMM FMHH24')
-- fifth batch: NULL arguments (strictness) and concat/format NULL rules
upper(NULL::text)
substr(NULL::text, 1)
substr('abc', NULL)
replace('abc', NULL, 'x')
split_part('a,b', NULL, 1)
left(NULL::text, 1)
lpad('a', NULL)
repeat(NULL::text, 2)
md5(NULL::text)
strpos(NULL::text, 'a')
btrim(NULL::text)
regexp_replace(NULL::text, 'a', 'b')
concat(NULL::text, NULL::int)
concat_ws(',', NULL::text)
format('%s|%L|%I', NULL::text, NULL::text, 'x')
format(NULL::text)
round(NULL::numeric, 2)
abs(NULL::int)
mod(NULL::int, 2)
power(NULL::float8, 2)
sqrt(NULL::float8)
date_trunc('day', NULL::timestamptz)
date_trunc(NULL, now())
extract(year from NULL::date)
to_char(NULL::timestamp, 'YYYY')
to_char(now(), NULL)
age(NULL::timestamptz, now())
make_date(2024, NULL, 1)
jsonb_typeof(NULL::jsonb)
jsonb_array_length(NULL::jsonb)
jsonb_build_object('a', NULL::int)
jsonb_build_array(NULL::text)
to_jsonb(NULL::int)
array_length(NULL::int[], 1)
array_to_string(NULL::text[], ',')
cardinality(NULL::int[])
NULL::jsonb -> 'a'
'{"a":1}'::jsonb -> NULL::text
NULL::text LIKE NULL
NULL::int[] || 1
NULL::int[] || NULL::int[]
NULLIF(NULL::int, 1)
GREATEST(NULL::int, NULL::int)
COALESCE(NULL::text, NULL::text)
CASE NULL::int WHEN NULL THEN 'x' ELSE 'y' END
NULL::boolean AND NULL::boolean
1 BETWEEN SYMMETRIC NULL AND 2
'2024-01-01'::date + NULL::int
NULL::interval * 2
to_timestamp(NULL::float8)
-- sixth batch: to_char of numbers
to_char(1234.5, '9,999.99')
to_char(-1234.5, '9,999.99')
to_char(12, '9,999')
to_char(5, '000')
to_char(5, 'FM000')
to_char(0.5, '9.99')
to_char(0.5, '0.99')
to_char(12345, '999')
to_char(1234.5, 'FM9,999.99')
to_char(1234.5, 'FM9,999.00')
to_char(-5, '999MI')
to_char(5, '999MI')
to_char(-5, '999PR')
to_char(5, 'S999')
to_char(-5, 'S999')
to_char(42, '"Total: "999')
to_char(3.14159::float8, '9.999')
to_char(1234567, '9G999G999')
to_char(1234.5, '99999D99')
to_char(100, 'FM999')
