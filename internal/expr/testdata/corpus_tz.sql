-- Evaluated with the session TimeZone set to America/New_York.
'2024-01-02 03:04:05'::timestamptz
'2024-07-02 03:04:05+00'::timestamptz
'2024-01-02'::date::timestamptz
'2024-01-02 03:04:05+00'::timestamptz::date
'2024-01-02 03:04:05+00'::timestamptz::timestamp
'2024-01-02 03:04:05'::timestamp::timestamptz
'2024-01-02 03:04:05+00'::timestamptz::text
date_trunc('day', '2024-01-02 03:00+00'::timestamptz)
date_trunc('month', '2024-03-01 03:00+00'::timestamptz)
date_trunc('day', '2024-01-02 03:00+00'::timestamptz, 'UTC')
extract(hour from '2024-01-02 03:00+00'::timestamptz)
extract(day from '2024-01-02 03:00+00'::timestamptz)
extract(timezone from '2024-01-02 03:00+00'::timestamptz)
extract(timezone from '2024-07-02 03:00+00'::timestamptz)
extract(epoch from '2024-01-02 03:00'::timestamptz)
date_part('hour', '2024-01-02 03:00+00'::timestamptz)
to_char('2024-01-02 03:04:05+00'::timestamptz, 'YYYY-MM-DD HH24:MI:SS TZ')
to_char('2024-07-02 03:04:05+00'::timestamptz, 'YYYY-MM-DD HH24:MI TZ OF')
'2024-03-10 00:00'::timestamptz + '1 day'::interval
'2024-03-10 00:00'::timestamptz + '24 hours'::interval
'2024-03-09 12:00'::timestamptz + '1 mon'::interval
'2024-03-11 00:00'::timestamptz - '2024-03-10 00:00'::timestamptz
'2024-11-03 01:30'::timestamptz
'2024-03-10 02:30'::timestamptz
'2024-01-01 12:00:00+00'::timestamptz AT TIME ZONE 'UTC'
'2024-01-01 12:00:00'::timestamp AT TIME ZONE 'UTC'
'2024-01-01 12:00:00'::timestamp AT TIME ZONE 'Europe/Berlin'
'2024-01-01 12:00:00+00'::timestamptz AT TIME ZONE 'Asia/Kolkata'
to_jsonb('2024-01-02 03:04:05+00'::timestamptz)
to_timestamp(1700000000)
age('2024-03-15 00:00'::timestamptz, '2024-01-20 12:00'::timestamptz)
'2024-01-02'::date = '2024-01-02 05:00:00+00'::timestamptz
'2024-01-02'::date < '2024-01-02 04:00:00+00'::timestamptz
'epoch'::timestamptz
make_timestamptz(2024, 1, 2, 3, 4, 5)
make_timestamptz(2024, 1, 2, 3, 4, 5, 'UTC')
'2024-06-01 00:00:00-07'::timestamptz
'2024-06-01 10:00:00.123456+05:30'::timestamptz
concat('x', '2024-01-02 03:04:05+00'::timestamptz)
'a' || '2024-01-02 03:04:05+00'::timestamptz
