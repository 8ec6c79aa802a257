-- Differential corpus of catalog facts every PostgreSQL 15 shows, whoever connects (see corpus.sql
-- for the format).

-- name: users_pg_extension_plpgsql
SELECT extname, extversion, extrelocatable, extnamespace::regnamespace::text AS schema FROM pg_extension ORDER BY extname;
