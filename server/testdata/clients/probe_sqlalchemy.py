# Drives SQLAlchemy's inspector over psycopg2 (what Superset's table list, Alembic and
# pandas.to_sql use), psycopg2's own type registration and pandas, printing "ok NAME RESULT" or
# "ERR NAME MESSAGE" per call after sending SELECT 'corpus:NAME'.
# Usage: python3 probe_sqlalchemy.py host port user database
import sys
import warnings

import pandas as pd
import psycopg2
import psycopg2.extras
import sqlalchemy
from sqlalchemy import create_engine, inspect, text

warnings.simplefilter("ignore")
host, port, user, db = sys.argv[1:5]
engine = create_engine("postgresql+psycopg2://%s@%s:%s/%s?sslmode=disable" % (user, host, port, db))
conn = engine.connect()
insp = inspect(conn)


def call(name, f):
    conn.execute(text("SELECT 'corpus:%s'" % name)).fetchall()
    try:
        r = f()
        if isinstance(r, (list, dict, tuple)):
            r = len(r)
        print("ok", name, r)
    except Exception as e:
        print("ERR", name, str(e).splitlines()[0][:300])


call("get_schema_names", lambda: insp.get_schema_names())
call("get_table_names", lambda: insp.get_table_names())
call("get_table_names-schema", lambda: insp.get_table_names(schema="public"))
call("get_view_names", lambda: insp.get_view_names())
call("get_view_names-catalog", lambda: insp.get_view_names(schema="information_schema"))

call("get_sequence_names", lambda: insp.get_sequence_names())
call("get_columns", lambda: insp.get_columns("customers"))
call("get_pk_constraint", lambda: insp.get_pk_constraint("charges"))
call("get_foreign_keys", lambda: insp.get_foreign_keys("charges"))
call("get_indexes", lambda: insp.get_indexes("customers"))
call("get_unique_constraints", lambda: insp.get_unique_constraints("customers"))
call("get_check_constraints", lambda: insp.get_check_constraints("customers"))
call("get_table_comment", lambda: insp.get_table_comment("customers"))
call("has_table", lambda: insp.has_table("customers"))
call("has_table-missing", lambda: insp.has_table("no_such_table"))
call("reflect", lambda: sqlalchemy.Table("refunds", sqlalchemy.MetaData(), autoload_with=conn).columns.keys())
call("pandas-read_sql", lambda: pd.read_sql(text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"), conn).shape[0])
conn.close()

raw = psycopg2.connect(host=host, port=int(port), user=user, dbname=db, sslmode="disable")
cur = raw.cursor()


def pcall(name, f):
    cur.execute("SELECT 'corpus:%s'" % name)
    try:
        r = f()
        print("ok", name, r)
    except psycopg2.Error as e:
        raw.rollback()
        print("ERR", name, str(e).splitlines()[0][:300])
    except psycopg2.ProgrammingError as e:
        print("ok", name, "none")


def hstore():
    try:
        psycopg2.extras.register_hstore(raw)
        return "registered"
    except psycopg2.ProgrammingError:
        return "none"


pcall("psycopg2-register_hstore", hstore)
pcall("psycopg2-description", lambda: (cur.execute("SELECT id, amount FROM charges WHERE id = %s", ("ch_none",)), [d.type_code for d in cur.description])[1])
raw.close()
