package catalog

import "github.com/stripesql/stripesql/internal/expr"

// PostgreSQL always lists the database a client is connected to in pg_database, and the role it
// is connected as in pg_roles and pg_user; tools (psql's \l and \du, DBeaver, Metabase) look
// themselves up there. stripesql accepts any database and user name at connect time, so these
// tables add a row for the session's names next to the fixed stripe database and stripesql role.

// withSessionRows sets t's SessionRows and returns t.
func withSessionRows(t *Table, rows func(*Catalog, expr.Session) [][]any) *Table {
	t.SessionRows = rows
	return t
}

// connectedDatabase and connectedUser are the session's names when they differ from the fixed
// ones ("" otherwise), with the OID the extra row gets: derived from the name, so it is stable.
func connectedDatabase(s expr.Session) (string, uint32) {
	if s == nil || s.Database() == "" || s.Database() == DatabaseName {
		return "", 0
	}
	return s.Database(), StableOID("database " + s.Database())
}

func connectedUser(s expr.Session) (string, uint32) {
	if s == nil || s.User() == "" || s.User() == OwnerName {
		return "", 0
	}
	return s.User(), StableOID("role " + s.User())
}

func sessionDatabaseRows(c *Catalog, s expr.Session) [][]any {
	rows := databaseRows(c)
	if name, oid := connectedDatabase(s); name != "" {
		row := append([]any(nil), rows[0]...)
		row[0], row[1] = oidv(oid), name
		rows = append(rows, row)
	}
	return rows
}

// roleRow is a pg_roles row without its trailing oid: a login role that is not a superuser, as
// both the owner and a connected user are.
// authidRows is pg_authid: the owner role, in pg_authid's column order (not pg_roles').
func authidRows(*Catalog) [][]any {
	spec, _ := pg15Spec("pg_catalog", "pg_authid")
	return [][]any{namedRow(spec, map[string]any{
		"oid": oidv(OwnerRole), "rolname": OwnerName, "rolsuper": false, "rolinherit": true, "rolcreaterole": false,
		"rolcreatedb": false, "rolcanlogin": true, "rolreplication": false, "rolbypassrls": false, "rolconnlimit": int64(-1),
		"rolpassword": nil, "rolvaliduntil": nil,
	})}
}

func roleRow(name string) []any {
	return []any{name, false, true, false, false, true, false, int64(-1), "********", nil, false, nil}
}

func sessionRolesRows(_ *Catalog, s expr.Session) [][]any {
	rows := [][]any{append(roleRow(OwnerName), oidv(OwnerRole))}
	if name, oid := connectedUser(s); name != "" {
		rows = append(rows, append(roleRow(name), oidv(oid)))
	}
	return rows
}

func userRow(name string, oid uint32) []any {
	return []any{name, oidv(oid), false, false, false, false, "********", nil, nil}
}

func sessionUserRows(_ *Catalog, s expr.Session) [][]any {
	rows := [][]any{userRow(OwnerName, OwnerRole)}
	if name, oid := connectedUser(s); name != "" {
		rows = append(rows, userRow(name, oid))
	}
	return rows
}
