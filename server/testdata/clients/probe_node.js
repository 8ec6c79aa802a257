// Drives node-postgres: it sends no catalog queries of its own, so this probe covers what it does
// send (startup, a parameterised query through the extended protocol, a text query) and the
// kind of information_schema and pg_constraint queries Node schema tools build on top of it
// (written here, not copied from any tool), printing "ok NAME ROWS" or "ERR NAME MESSAGE" per call after SELECT 'corpus:NAME'.
// Usage: node probe_node.js host port user database
const { Client } = require('pg');
(async () => {
  const [host, port, user, database] = process.argv.slice(2);
  const c = new Client({ host, port: Number(port), user, database });
  await c.connect();
  const call = async (name, sql, params) => {
    await c.query(`SELECT 'corpus:${name}'`);
    try {
      const r = await c.query(sql, params);
      console.log('ok', name, r.rows.length);
    } catch (e) {
      console.log('ERR', name, e.code, e.message);
    }
  };
  await call('parameterised', 'SELECT $1::text AS t, count(*) AS n FROM customers WHERE id = $2', ['x', 'cus_none']);
  await call('information_schema-table', 'select * from information_schema.tables where table_name = $1 and table_schema = current_schema()', ['customers']);
  await call('information_schema-columns', 'select * from information_schema.columns where table_name = $1 and table_catalog = current_database() and table_schema = current_schema()', ['customers']);
  await call('information_schema-base-tables', "SELECT * FROM \"information_schema\".\"tables\" WHERE \"table_schema\" = 'public' AND \"table_type\" = 'BASE TABLE'");
  await call('information_schema-columns-regtype', "SELECT *, ('\"' || \"udt_schema\" || '\".\"' || \"udt_name\" || '\"')::\"regtype\" AS \"regtype\" FROM \"information_schema\".\"columns\" WHERE (\"table_schema\" = 'public' AND \"table_name\" = 'customers')");
  await call('pg_constraint-columns', "SELECT \"ns\".\"nspname\" AS \"table_schema\", \"t\".\"relname\" AS \"table_name\", \"cnst\".\"conname\" AS \"constraint_name\", pg_get_constraintdef(\"cnst\".\"oid\") AS \"expression\", CASE \"cnst\".\"contype\" WHEN 'p' THEN 'PRIMARY' WHEN 'u' THEN 'UNIQUE' WHEN 'c' THEN 'CHECK' WHEN 'x' THEN 'EXCLUDE' END AS \"constraint_type\", \"a\".\"attname\" AS \"column_name\" FROM \"pg_constraint\" \"cnst\" INNER JOIN \"pg_class\" \"t\" ON \"t\".\"oid\" = \"cnst\".\"conrelid\" INNER JOIN \"pg_namespace\" \"ns\" ON \"ns\".\"oid\" = \"cnst\".\"connamespace\" LEFT JOIN \"pg_attribute\" \"a\" ON \"a\".\"attrelid\" = \"cnst\".\"conrelid\" AND \"a\".\"attnum\" = ANY (\"cnst\".\"conkey\") WHERE \"t\".\"relkind\" IN ('r', 'p') AND ((\"ns\".\"nspname\" = 'public' AND \"t\".\"relname\" = 'customers'))");
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
