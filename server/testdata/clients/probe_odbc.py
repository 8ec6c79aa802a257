# Drives psqlODBC's catalog functions through pyodbc (SQLTables, SQLColumns, SQLPrimaryKeys,
# SQLForeignKeys, SQLStatistics, SQLSpecialColumns, SQLProcedures, SQLProcedureColumns,
# SQLGetTypeInfo) and prints "ok NAME ROWS" or "ERR NAME MESSAGE" per call, after sending
# SELECT 'corpus:NAME'. Usage: python3 probe_odbc.py host port user database
import sys
import pyodbc

host, port, user, db = sys.argv[1:5]
conn = pyodbc.connect("Driver=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so;Servername=%s;Port=%s;Database=%s;Username=%s;SSLmode=disable"
                      % (host, port, db, user), autocommit=True)
cur = conn.cursor()


def call(name, f):
    cur.execute("SELECT 'corpus:%s'" % name).fetchall()
    try:
        rows = f().fetchall()
        print("ok", name, len(rows))
    except pyodbc.Error as e:
        print("ERR", name, str(e).splitlines()[0][:300])


call("SQLTables", lambda: cur.tables(schema="public"))
call("SQLTables-one", lambda: cur.tables(table="customers", schema="public"))
call("SQLTables-views", lambda: cur.tables(schema="%", tableType="VIEW"))
call("SQLTables-schemas", lambda: cur.tables(catalog="", schema="%", table=""))
call("SQLTables-types", lambda: cur.tables(catalog="", schema="", table="", tableType="%"))
call("SQLColumns", lambda: cur.columns(table="customers", schema="public"))
call("SQLPrimaryKeys", lambda: cur.primaryKeys("customers", schema="public"))
call("SQLPrimaryKeys-noschema", lambda: cur.primaryKeys("charges"))
call("SQLForeignKeys-fk", lambda: cur.foreignKeys(foreignTable="charges", foreignSchema="public"))
call("SQLForeignKeys-pk", lambda: cur.foreignKeys(table="customers", schema="public"))
call("SQLStatistics", lambda: cur.statistics("customers", schema="public"))
call("SQLSpecialColumns-rowid", lambda: cur.rowIdColumns("customers", schema="public"))
call("SQLSpecialColumns-rowver", lambda: cur.rowVerColumns("customers", schema="public"))
call("SQLProcedures", lambda: cur.procedures(schema="public"))
call("SQLProcedureColumns", lambda: cur.procedureColumns(procedure="cancelsubscription", schema="public"))
call("SQLGetTypeInfo", lambda: cur.getTypeInfo())
call("SQLDescribeCol", lambda: cur.execute("SELECT id, email FROM customers WHERE id = 'cus_none'"))
conn.close()
