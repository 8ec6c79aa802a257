package catalog

import (
	"sort"
	"strings"
	"sync"

	"github.com/stripesql/stripesql/internal/expr"
	"github.com/stripesql/stripesql/internal/sqltypes"
)

// Fixed OIDs of the objects every PostgreSQL has, so that clients which hard-code them (psql
// compares classoid with 'pg_class'::regclass, JDBC joins on 11 for pg_catalog) see the values they
// expect.
const (
	NamespacePgCatalog         uint32 = 11
	NamespacePublic            uint32 = 2200
	NamespaceInformationSchema uint32 = 13183
	NamespacePgToast           uint32 = 99
	ClassPgClass               uint32 = 1259
	ClassPgProc                uint32 = 1255
	ClassPgNamespace           uint32 = 2615
	ClassPgType                uint32 = 1247
	ClassPgConstraint          uint32 = 2606
	ClassPgDatabase            uint32 = 1262
	// OwnerRole is the role that owns every object: stripesql has no roles of its own, and
	// pg_get_userbyid(10) names it.
	OwnerRole uint32 = 10
	// DatabaseOID is the OID of the one database pg_database lists.
	DatabaseOID uint32 = 16384
	// AccessMethodHeap and AccessMethodBtree are pg_am's heap and btree.
	AccessMethodHeap  uint32 = 2
	AccessMethodBtree uint32 = 403
	collationDefault  uint32 = 100
)

// extensionPlpgsql is the OID of pg_extension's plpgsql row (an initdb-assigned OID in PostgreSQL).
const extensionPlpgsql uint32 = 13557

// OwnerName is the name of OwnerRole.
const OwnerName = "stripesql"

// DatabaseName is the database pg_database lists; any database name is accepted at connect time.
const DatabaseName = "stripe"

// Routine is a CALL-able procedure as introspection shows it (pg_proc, information_schema.routines,
// \df). Package procedures owns procedures; it cannot be imported here (it imports catalog), so
// whoever assembles a node registers them with RegisterRoutines.
type Routine struct {
	Name        string
	Description string
	Params      []RoutineParam
}

// SQLName is the procedure's name as the catalog lists it: folded to lower case, as PostgreSQL
// stores every unquoted name, so psql's \df AcceptQuote (which folds its pattern) and JDBC's
// getProcedures find it, and CALL AcceptQuote(…) names the same procedure.
func (r Routine) SQLName() string { return strings.ToLower(r.Name) }

// RoutineParam is one parameter of a Routine.
type RoutineParam struct {
	Name     string
	Type     sqltypes.Type
	Required bool
}

var routines = struct {
	sync.RWMutex
	source func() []Routine
}{}

// RegisterRoutines sets where pg_proc and information_schema.routines read procedures from.
// Package planner registers package procedures' registry when it opens its first session; with
// none registered, only functions show.
func RegisterRoutines(source func() []Routine) {
	routines.Lock()
	routines.source = source
	routines.Unlock()
}

// Routines returns the registered procedures, sorted by name.
func Routines() []Routine {
	routines.RLock()
	src := routines.source
	routines.RUnlock()
	if src == nil {
		return nil
	}
	out := src()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RoutineOID is the stable OID of a procedure in pg_proc.
func RoutineOID(name string) uint32 { return StableOID("public." + strings.ToLower(name) + "()") }

// FunctionOID is the stable OID of a system function in pg_proc.
func FunctionOID(name string) uint32 { return StableOID("pg_catalog." + name + "()") }

// PrimaryKeyOID is the OID of the primary-key index (and constraint) of a table with an id column.
func PrimaryKeyOID(t *Table) uint32 { return StableOID(t.Schema + "." + t.Name + "_pkey") }

// NamespaceOID returns the OID of a schema, 0 when unknown.
func NamespaceOID(schema string) uint32 {
	switch schema {
	case "pg_catalog":
		return NamespacePgCatalog
	case "public":
		return NamespacePublic
	case "information_schema":
		return NamespaceInformationSchema
	case StateSchema:
		return NamespaceStripesql
	case "pg_toast":
		return NamespacePgToast
	}
	return 0
}

// functionNames lists the system functions pg_proc shows; system_funcs.go
// sets it to the expr registry's names.
var functionNames func() []string

// cols builds columns from a compact "name:type name:type" spec.
func cols(spec string) []Column {
	var out []Column
	for _, f := range strings.Fields(spec) {
		name, typ, _ := strings.Cut(f, ":")
		out = append(out, Column{Name: name, Type: specType(typ)})
	}
	return out
}

func specType(s string) sqltypes.Type {
	switch s {
	case "oid":
		return sqltypes.OID
	case "name":
		return sqltypes.Name
	case "text":
		return sqltypes.Text
	case "bool":
		return sqltypes.Bool
	case "int2":
		return sqltypes.Int2
	case "int4":
		return sqltypes.Int4
	case "int8":
		return sqltypes.Int8
	case "float4":
		return sqltypes.Float4
	case "float8":
		return sqltypes.Float8
	case "char":
		return sqltypes.Char
	case "varchar":
		return sqltypes.Varchar
	case "regproc":
		return sqltypes.Regproc
	case "timestamptz":
		return sqltypes.Timestamptz
	case "text[]":
		return sqltypes.TextArray
	case "oid[]":
		return sqltypes.OIDArray
	case "char[]":
		return sqltypes.CharArray
	case "name[]":
		return sqltypes.NameArray
	case "int2[]":
		return sqltypes.Int2Array
	case "int2vector":
		return sqltypes.Int2Vector
	case "oidvector":
		return sqltypes.OIDVector
	case "interval":
		return sqltypes.Interval
	case "numeric":
		return sqltypes.Numeric
	case "bytea":
		return sqltypes.Bytea
	case "regtype":
		return sqltypes.Regtype
	case "float8[]":
		return sqltypes.Float8Array
	case "bool[]":
		return sqltypes.BoolArray
	}
	panic("catalog: unknown type in system table spec: " + s)
}

func oidv(o uint32) any { return int64(o) }

func textArray(items ...string) sqltypes.Array {
	a := sqltypes.Array{Elem: sqltypes.Text}
	for _, s := range items {
		a.Items = append(a.Items, s)
	}
	return a
}

func oidArray(items ...uint32) sqltypes.Array {
	a := sqltypes.Array{Elem: sqltypes.OID}
	for _, o := range items {
		a.Items = append(a.Items, int64(o))
	}
	return a
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// sysTable declares a system table.
func sysTable(schema, name, description, spec string, rows func(c *Catalog) [][]any) *Table {
	return &Table{Schema: schema, Name: name, Description: description, Columns: cols(spec), Rows: rows}
}

func empty(*Catalog) [][]any { return nil }

// SystemTables returns the pg_catalog and information_schema tables: what psql's backslash
// commands, JDBC's DatabaseMetaData, ODBC, SQLAlchemy and BI tools read to discover tables,
// columns, types and procedures. Their rows are computed from the catalog they are part of, so
// introspection runs through the same planner and executor as user queries. Catalogs stripesql
// has nothing to put in (triggers, policies, rewrite rules…) exist and are empty, so client
// queries that join them still run.
func SystemTables() []*Table {
	pc := func(name, description, spec string, rows func(c *Catalog) [][]any) *Table {
		return sysTable("pg_catalog", name, description, spec, rows)
	}
	is := func(name, description, spec string, rows func(c *Catalog) [][]any) *Table {
		return sysTable("information_schema", name, description, spec, rows)
	}
	return withPostgresRelations([]*Table{
		pc("pg_namespace", "schemas", "oid:oid nspname:name nspowner:oid nspacl:text[]", namespaceRows),
		pc("pg_class", "tables, indexes and other relations",
			"oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid relfilenode:oid "+
				"reltablespace:oid relpages:int4 reltuples:float4 relallvisible:int4 reltoastrelid:oid relhasindex:bool "+
				"relisshared:bool relpersistence:char relkind:char relnatts:int2 relchecks:int2 relhasrules:bool "+
				"relhastriggers:bool relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool relispopulated:bool "+
				"relreplident:char relispartition:bool relrewrite:oid relfrozenxid:int8 relminmxid:int8 relacl:text[] "+
				"reloptions:text[] relpartbound:text", classRows),
		pc("pg_attribute", "table columns",
			"attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2 attndims:int4 "+
				"attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char attstorage:char attcompression:char "+
				"attnotnull:bool atthasdef:bool atthasmissing:bool attidentity:char attgenerated:char attisdropped:bool "+
				"attislocal:bool attinhcount:int4 attcollation:oid attacl:text[] attoptions:text[] attfdwoptions:text[] "+
				"attmissingval:text", attributeRows),
		pc("pg_type", "data types",
			"oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char typcategory:char "+
				"typispreferred:bool typisdefined:bool typdelim:char typrelid:oid typsubscript:regproc typelem:oid "+
				"typarray:oid typinput:regproc typoutput:regproc typreceive:regproc typsend:regproc typmodin:regproc "+
				"typmodout:regproc typanalyze:regproc typalign:char typstorage:char typnotnull:bool typbasetype:oid "+
				"typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin:text typdefault:text typacl:text[]", typeRows),
		pc("pg_proc", "functions and procedures",
			"oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4 prorows:float4 "+
				"provariadic:oid prosupport:regproc prokind:char prosecdef:bool proleakproof:bool proisstrict:bool "+
				"proretset:bool provolatile:char proparallel:char pronargs:int2 pronargdefaults:int2 prorettype:oid "+
				"proargtypes:oidvector proallargtypes:oid[] proargmodes:char[] proargnames:text[] proargdefaults:text "+
				"protrftypes:oid[] prosrc:text probin:text prosqlbody:text proconfig:text[] proacl:text[]", procRows),
		pc("pg_description", "comments on objects: stripe's descriptions of tables and fields",
			"objoid:oid classoid:oid objsubid:int4 description:text", descriptionRows),
		pc("pg_shdescription", "comments on shared objects", "objoid:oid classoid:oid description:text", empty),
		withSessionRows(pc("pg_database", "databases",
			"oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool datallowconn:bool "+
				"datconnlimit:int4 datfrozenxid:int8 datminmxid:int8 dattablespace:oid datcollate:text datctype:text "+
				"daticulocale:text datcollversion:text datacl:text[]", databaseRows), sessionDatabaseRows), // session_rows.go
		withSessionRows(pc("pg_roles", "roles", rolesSpec+" oid:oid", func(*Catalog) [][]any { return sessionRolesRows(nil, nil) }), sessionRolesRows),
		pg15Table("pg_catalog", "pg_authid", "roles", authidRows),
		withSessionRows(pc("pg_user", "users",
			"usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool passwd:text "+
				"valuntil:timestamptz useconfig:text[]", func(*Catalog) [][]any { return sessionUserRows(nil, nil) }), sessionUserRows),
		pc("pg_settings", "run-time settings (session values are read with SHOW and current_setting)",
			"name:text setting:text unit:text category:text short_desc:text extra_desc:text context:text vartype:text "+
				"source:text min_val:text max_val:text enumvals:text[] boot_val:text reset_val:text sourcefile:text "+
				"sourceline:int4 pending_restart:bool", settingsRows),
		pc("pg_index", "indexes: each table's primary key on id",
			"indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool indnullsnotdistinct:bool "+
				"indisprimary:bool indisexclusion:bool indimmediate:bool indisclustered:bool indisvalid:bool "+
				"indcheckxmin:bool indisready:bool indislive:bool indisreplident:bool indkey:int2vector "+
				"indcollation:oidvector indclass:oidvector indoption:int2vector indexprs:text indpred:text", indexRows),
		pc("pg_constraint", "constraints: each table's primary key on id, and foreign keys between stripe objects",
			"oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool convalidated:bool "+
				"conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid confupdtype:char confdeltype:char "+
				"confmatchtype:char conislocal:bool coninhcount:int4 connoinherit:bool conkey:int2[] confkey:int2[] "+
				"conpfeqop:oid[] conppeqop:oid[] conffeqop:oid[] confdelsetcols:int2[] conexclop:oid[] conbin:text", constraintRows),
		pc("pg_am", "access methods", "oid:oid amname:name amhandler:regproc amtype:char", func(*Catalog) [][]any {
			return [][]any{{oidv(AccessMethodHeap), "heap", int64(0), "t"}, {oidv(AccessMethodBtree), "btree", int64(0), "i"}}
		}),
		// PostgreSQL 15 always has plpgsql installed (initdb creates it), and tools read its row.
		pc("pg_extension", "extensions", "oid:oid extname:name extowner:oid extnamespace:oid extrelocatable:bool extversion:text extconfig:oid[] extcondition:text[]", func(*Catalog) [][]any {
			return [][]any{{oidv(extensionPlpgsql), "plpgsql", oidv(OwnerRole), oidv(NamespacePgCatalog), false, "1.0", nil, nil}}
		}),
		pc("pg_inherits", "table inheritance", "inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool", empty),
		pc("pg_attrdef", "column defaults", "oid:oid adrelid:oid adnum:int2 adbin:text", empty),
		pc("pg_tablespace", "tablespaces", "oid:oid spcname:name spcowner:oid spcacl:text[] spcoptions:text[]", func(*Catalog) [][]any {
			return [][]any{{int64(1663), "pg_default", oidv(OwnerRole), nil, nil}}
		}),
		pc("pg_collation", "collations",
			"oid:oid collname:name collnamespace:oid collowner:oid collprovider:char collisdeterministic:bool "+
				"collencoding:int4 collcollate:text collctype:text colliculocale:text collversion:text", func(*Catalog) [][]any {
				return [][]any{
					{oidv(collationDefault), "default", oidv(NamespacePgCatalog), oidv(OwnerRole), "d", true, int64(-1), nil, nil, nil, nil},
					{int64(950), "C", oidv(NamespacePgCatalog), oidv(OwnerRole), "c", true, int64(-1), "C", "C", nil, nil},
				}
			}),
		pc("pg_enum", "enum labels", "oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name", empty),
		pc("pg_range", "range types", "rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid rngsubopc:oid rngcanonical:regproc rngsubdiff:regproc", empty),
		pc("pg_event_trigger", "event triggers", "oid:oid evtname:name evtevent:name evtowner:oid evtfoid:oid evtenabled:char evttags:text[]", empty),
		pc("pg_policy", "row security policies", "oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:oid[] polqual:text polwithcheck:text", empty),
		pc("pg_rewrite", "rewrite rules", "oid:oid rulename:name ev_class:oid ev_type:char ev_enabled:char is_instead:bool ev_qual:text ev_action:text", empty),
		pc("pg_trigger", "triggers",
			"oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2 tgenabled:char tgisinternal:bool "+
				"tgconstrrelid:oid tgconstrindid:oid tgconstraint:oid tgdeferrable:bool tginitdeferred:bool tgnargs:int2 "+
				"tgattr:int2vector tgargs:bytea tgqual:text tgoldtable:name tgnewtable:name", empty),
		pc("pg_foreign_table", "foreign tables", "ftrelid:oid ftserver:oid ftoptions:text[]", empty),
		pc("pg_foreign_server", "foreign servers", "oid:oid srvname:name srvowner:oid srvfdw:oid srvtype:text srvversion:text srvacl:text[] srvoptions:text[]", empty),
		pc("pg_foreign_data_wrapper", "foreign-data wrappers", "oid:oid fdwname:name fdwowner:oid fdwhandler:oid fdwvalidator:oid fdwacl:text[] fdwoptions:text[]", empty),
		pc("pg_statistic_ext", "extended statistics", "oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4 stxkeys:int2vector stxkind:char[] stxexprs:text", empty),
		pc("pg_publication", "publications", "oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool pubdelete:bool pubtruncate:bool pubviaroot:bool", empty),
		pc("pg_publication_rel", "publication tables", "oid:oid prpubid:oid prrelid:oid prqual:text prattrs:int2vector", empty),
		pc("pg_publication_namespace", "publication schemas", "oid:oid pnpubid:oid pnnspid:oid", empty),
		pc("pg_sequence", "sequences", "seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 seqcache:int8 seqcycle:bool", empty),
		pc("pg_depend", "dependencies", "classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 deptype:char", empty),
		pc("pg_cast", "casts", "oid:oid castsource:oid casttarget:oid castfunc:oid castcontext:char castmethod:char", empty),
		pc("pg_operator", "operators", "oid:oid oprname:name oprnamespace:oid oprowner:oid oprkind:char oprcanmerge:bool oprcanhash:bool oprleft:oid oprright:oid oprresult:oid oprcom:oid oprnegate:oid oprcode:regproc oprrest:regproc oprjoin:regproc", empty),
		// empty catalogs psql's \dF, \dFd, \dFp, \dFt, \dc, \dl and \drds read
		pc("pg_ts_config", "text search configurations", "oid:oid cfgname:name cfgnamespace:oid cfgowner:oid cfgparser:oid", empty),
		pc("pg_ts_dict", "text search dictionaries", "oid:oid dictname:name dictnamespace:oid dictowner:oid dicttemplate:oid dictinitoption:text", empty),
		pc("pg_ts_parser", "text search parsers", "oid:oid prsname:name prsnamespace:oid prsstart:regproc prstoken:regproc prsend:regproc prsheadline:regproc prslextype:regproc", empty),
		pc("pg_ts_template", "text search templates", "oid:oid tmplname:name tmplnamespace:oid tmplinit:regproc tmpllexize:regproc", empty),
		pc("pg_conversion", "encoding conversions", "oid:oid conname:name connamespace:oid conowner:oid conforencoding:int4 contoencoding:int4 conproc:regproc condefault:bool", empty),
		pc("pg_largeobject_metadata", "large objects", "oid:oid lomowner:oid lomacl:text[]", empty),
		pc("pg_db_role_setting", "per-role and per-database settings", "setdatabase:oid setrole:oid setconfig:text[]", empty),
		pc("pg_opclass", "operator classes", "oid:oid opcmethod:oid opcname:name opcnamespace:oid opcowner:oid opcfamily:oid opcintype:oid opcdefault:bool opckeytype:oid", empty),
		pc("pg_language", "procedural languages", "oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid laninline:oid lanvalidator:oid lanacl:text[]", func(*Catalog) [][]any {
			return [][]any{{int64(12), "internal", oidv(OwnerRole), false, false, int64(0), int64(0), int64(0), nil}}
		}),
		pc("pg_matviews", "materialized views", "schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool ispopulated:bool definition:text", empty),
		pc("pg_views", "views", "schemaname:name viewname:name viewowner:name definition:text", empty),
		pc("pg_tables", "tables", "schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool hasrules:bool hastriggers:bool rowsecurity:bool", pgTablesRows),
		pc("pg_indexes", "indexes", "schemaname:name tablename:name indexname:name tablespace:name indexdef:text", pgIndexesRows),
		pg15Table("pg_catalog", "pg_stat_activity", "sessions of this server (activity.go)", activityRows),
		pc("pg_prepared_xacts", "prepared transactions", "transaction:int8 gid:text prepared:timestamptz owner:name database:name", empty),
		withSessionRows(pc("pg_cursors", "the session's open cursors (cursors.go)",
			"name:text statement:text is_holdable:bool is_binary:bool is_scrollable:bool creation_time:timestamptz", empty), cursorRows),

		is("schemata", "schemas",
			"catalog_name:name schema_name:name schema_owner:name default_character_set_catalog:name "+
				"default_character_set_schema:name default_character_set_name:name sql_path:varchar", schemataRows),
		is("tables", "tables",
			"table_catalog:name table_schema:name table_name:name table_type:varchar self_referencing_column_name:name "+
				"reference_generation:varchar user_defined_type_catalog:name user_defined_type_schema:name "+
				"user_defined_type_name:name is_insertable_into:varchar is_typed:varchar commit_action:varchar", isTablesRows),
		is("columns", "table columns",
			"table_catalog:name table_schema:name table_name:name column_name:name ordinal_position:int4 "+
				"column_default:varchar is_nullable:varchar data_type:varchar character_maximum_length:int4 "+
				"character_octet_length:int4 numeric_precision:int4 numeric_precision_radix:int4 numeric_scale:int4 "+
				"datetime_precision:int4 interval_type:varchar interval_precision:int4 character_set_catalog:name "+
				"character_set_schema:name character_set_name:name collation_catalog:name collation_schema:name "+
				"collation_name:name domain_catalog:name domain_schema:name domain_name:name udt_catalog:name "+
				"udt_schema:name udt_name:name scope_catalog:name scope_schema:name scope_name:name "+
				"maximum_cardinality:int4 dtd_identifier:name is_self_referencing:varchar is_identity:varchar "+
				"identity_generation:varchar identity_start:varchar identity_increment:varchar identity_maximum:varchar "+
				"identity_minimum:varchar identity_cycle:varchar is_generated:varchar generation_expression:varchar "+
				"is_updatable:varchar", isColumnsRows),
		is("views", "views", "table_catalog:name table_schema:name table_name:name view_definition:varchar check_option:varchar is_updatable:varchar is_insertable_into:varchar is_trigger_updatable:varchar is_trigger_deletable:varchar is_trigger_insertable_into:varchar", empty),
		pg15Table("information_schema", "routines", "procedures: one per stripe action", isRoutinesRows),
		pg15Table("information_schema", "parameters", "procedure parameters", isParametersRows),
		is("key_column_usage", "key columns: each table's primary key on id",
			"constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name table_schema:name "+
				"table_name:name column_name:name ordinal_position:int4 position_in_unique_constraint:int4", isKeyColumnRows),
		is("table_constraints", "constraints: each table's primary key on id",
			"constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name table_schema:name "+
				"table_name:name constraint_type:varchar is_deferrable:varchar initially_deferred:varchar enforced:varchar nulls_distinct:varchar", isTableConstraintRows),
		is("referential_constraints", "foreign keys: references between stripe objects",
			"constraint_catalog:name constraint_schema:name constraint_name:name unique_constraint_catalog:name "+
				"unique_constraint_schema:name unique_constraint_name:name match_option:varchar update_rule:varchar delete_rule:varchar", func(c *Catalog) [][]any {
				var out [][]any
				for _, fk := range c.ForeignKeys() {
					out = append(out, []any{DatabaseName, fk.Table.Schema, fk.Name(), DatabaseName, fk.Ref.Schema, fk.Ref.Name + "_pkey", "NONE", "NO ACTION", "NO ACTION"})
				}
				return out
			}),
		is("constraint_column_usage", "constraint columns",
			"table_catalog:name table_schema:name table_name:name column_name:name constraint_catalog:name constraint_schema:name constraint_name:name", isConstraintColumnRows),
		is("check_constraints", "check constraints", "constraint_catalog:name constraint_schema:name constraint_name:name check_clause:varchar", empty),
		is("character_sets", "character sets", "character_set_catalog:name character_set_schema:name character_set_name:name character_repertoire:name form_of_use:name default_collate_catalog:name default_collate_schema:name default_collate_name:name", func(*Catalog) [][]any {
			return [][]any{{nil, nil, "UTF8", "UCS", "UTF8", DatabaseName, "pg_catalog", "default"}}
		}),
		is("enabled_roles", "roles", "role_name:name", func(*Catalog) [][]any { return [][]any{{OwnerName}} }),
		is("table_privileges", "table privileges", "grantor:name grantee:name table_catalog:name table_schema:name table_name:name privilege_type:varchar is_grantable:varchar with_hierarchy:varchar", empty),
		is("column_privileges", "column privileges", "grantor:name grantee:name table_catalog:name table_schema:name table_name:name column_name:name privilege_type:varchar is_grantable:varchar", empty),
	})
}

const rolesSpec = "rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool " +
	"rolreplication:bool rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:text[]"

var schemas = []struct {
	name string
	oid  uint32
}{{"pg_catalog", NamespacePgCatalog}, {"public", NamespacePublic}, {"information_schema", NamespaceInformationSchema}, {"pg_toast", NamespacePgToast},
	{StateSchema, NamespaceStripesql}}

func namespaceRows(*Catalog) [][]any {
	var out [][]any
	for _, s := range schemas {
		out = append(out, []any{oidv(s.oid), s.name, oidv(OwnerRole), nil})
	}
	return out
}

// hasPrimaryKey reports whether t gets a primary key on id: Stripe tables whose first column is
// the object id.
func hasPrimaryKey(t *Table) bool {
	return t.Rows == nil && len(t.Columns) > 0 && t.Columns[0].Name == "id"
}

func classRows(c *Catalog) [][]any {
	var out [][]any
	row := func(oid uint32, name string, ns uint32, kind string, natts int, hasIndex bool, am uint32) []any {
		return []any{oidv(oid), name, oidv(ns), int64(0), int64(0), oidv(OwnerRole), oidv(am), oidv(oid),
			int64(0), int64(0), float64(-1), int64(0), int64(0), hasIndex,
			false, "p", kind, int64(natts), int64(0), false,
			false, false, false, false, true,
			"d", false, int64(0), int64(0), int64(0), nil,
			nil, nil}
	}
	// A table with foreign keys (either end) has relhastriggers set, as PostgreSQL's RI triggers
	// set it; psql's \d reads the foreign-key and "referenced by" lists only when it is.
	fkTables := map[uint32]bool{}
	for _, fk := range c.ForeignKeys() {
		fkTables[fk.Table.OID], fkTables[fk.Ref.OID] = true, true
	}
	for _, t := range c.Tables() {
		pk := hasPrimaryKey(t)
		kind := classKind(t)
		am := uint32(AccessMethodHeap)
		if kind == "v" {
			am = 0 // a view has no storage
		}
		r := row(t.OID, t.Name, NamespaceOID(t.Schema), kind, len(t.Columns), pk, am)
		r[20] = fkTables[t.OID] // relhastriggers
		if t.Rows != nil {
			r[25] = "n" // relreplident: PostgreSQL's catalogs and views have no replica identity
		}
		out = append(out, r)
		if pk {
			ix := row(PrimaryKeyOID(t), t.Name+"_pkey", NamespaceOID(t.Schema), "i", 1, false, AccessMethodBtree)
			// An empty btree has its metapage, and its build counted 0 tuples (pgJDBC's
			// getIndexInfo reports both as PAGES and CARDINALITY).
			ix[9], ix[10], ix[25] = int64(1), float64(0), "n"
			out = append(out, ix)
		}
	}
	return out
}

// classKind is a table's relkind: r for Stripe tables and pg_catalog's tables, v for the views
// (information_schema's, and those pg_catalog has as views in PostgreSQL).
func classKind(t *Table) string {
	kind := "r"
	if t.Rows != nil && t.Schema != "public" {
		kind = "v" // system tables are views in PostgreSQL's sense: rows computed on demand
		if t.Schema == "pg_catalog" {
			kind = "r"
		}
		if k := pg15Kind(t.Schema, t.Name); k != "" {
			kind = k // pg_stat_activity and pg_roles are views, as in PostgreSQL
		}
	}
	return kind
}

// typeMod is the atttypmod of a column: -1, stripesql's types carry no modifiers.
const typeMod = -1

func attributeRows(c *Catalog) [][]any {
	var out [][]any
	for _, t := range c.Tables() {
		fixed := t.Schema == "pg_catalog" && classKind(t) == "r"
		for i, col := range t.Columns {
			r := attributeRow(t, i, col)
			// PostgreSQL's bootstrap marks a catalog's leading fixed-width columns NOT NULL (name,
			// oidvector and int2vector count as fixed), up to the first variable-width one.
			fixed = fixed && (sqltypes.Size(col.Type) > 0 || col.Type == sqltypes.Name || col.Type == sqltypes.OIDVector || col.Type == sqltypes.Int2Vector)
			if fixed {
				r[13] = true // attnotnull
			}
			out = append(out, r)
		}
		if hasPrimaryKey(t) {
			// The index's own column, as PostgreSQL lists it.
			out = append(out, attributeRow(&Table{OID: PrimaryKeyOID(t)}, 0, t.Columns[0]))
		}
	}
	return out
}

func attributeRow(t *Table, i int, col Column) []any {
	var coll uint32
	if isCollatable(col.Type) {
		coll = collationDefault
	}
	ndims := int64(0)
	if sqltypes.IsArray(col.Type) {
		ndims = 1
	}
	notNull := i == 0 && col.Name == "id" && t.Rows == nil
	return []any{oidv(t.OID), col.Name, oidv(uint32(col.Type)), int64(-1), int64(sqltypes.Size(col.Type)), int64(i + 1), ndims,
		int64(-1), int64(typeMod), byVal(col.Type), align(col.Type), storage(col.Type), "",
		notNull, false, false, "", "", false,
		true, int64(0), oidv(coll), nil, nil, nil,
		nil}
}

func isCollatable(t sqltypes.Type) bool {
	switch t {
	case sqltypes.Text, sqltypes.Varchar, sqltypes.Name, sqltypes.TextArray:
		return true
	}
	return false
}

func byVal(t sqltypes.Type) bool {
	s := sqltypes.Size(t)
	return s > 0 && s <= 8 && t != sqltypes.Name && t != sqltypes.Interval
}

func align(t sqltypes.Type) string {
	switch sqltypes.Size(t) {
	case 1:
		return "c"
	case 2:
		return "s"
	case 8:
		return "d"
	case 4:
		return "i"
	}
	if t == sqltypes.Name {
		return "c"
	}
	return "i"
}

func storage(t sqltypes.Type) string {
	if sqltypes.Size(t) < 0 {
		return "x"
	}
	return "p"
}

func typeRows(*Catalog) [][]any {
	var out [][]any
	for _, t := range sqltypes.Types() {
		typtype := "b"
		switch t {
		case sqltypes.Record, sqltypes.Void, sqltypes.Unknown:
			typtype = "p"
		}
		var coll uint32
		if isCollatable(t) { // an array of a collatable type is collatable too (\d prints no COLLATE for text[])
			coll = collationDefault
		}
		var typinput int64
		if sqltypes.IsArray(t) {
			typinput = int64(FunctionOID(arrayInFunc))
		}
		preferred := t == sqltypes.Text || t == sqltypes.Float8 || t == sqltypes.Timestamptz || t == sqltypes.Bool || t == sqltypes.OID || t == sqltypes.Interval
		out = append(out, []any{oidv(uint32(t)), sqltypes.Typname(t), oidv(NamespacePgCatalog), oidv(OwnerRole), int64(sqltypes.Size(t)),
			byVal(t), typtype, string(sqltypes.Category(t)), preferred, true, ",", int64(0), int64(0), oidv(uint32(sqltypes.Elem(t))),
			oidv(uint32(sqltypes.ArrayOf(t))), typinput, int64(0), int64(0), int64(0), int64(0),
			int64(0), int64(0), align(t), storage(t), false, int64(0),
			int64(-1), int64(0), oidv(coll), nil, nil, nil})
	}
	return out
}

func procRows(*Catalog) [][]any {
	var out [][]any
	var names []string
	if functionNames != nil {
		names = functionNames()
	}
	for _, n := range names {
		out = append(out, []any{oidv(FunctionOID(n)), n, oidv(NamespacePgCatalog), oidv(OwnerRole), int64(12), float64(1), float64(0),
			int64(0), int64(0), "f", false, false, false,
			false, "s", "s", int64(0), int64(0), int64(uint32(sqltypes.Text)),
			sqltypes.Array{Elem: sqltypes.OID}, nil, nil, nil, nil,
			nil, n, nil, nil, nil, nil})
	}
	out = append(out, setFunctionProcRows()...) // system_srfs.go
	for _, r := range Routines() {
		types := sqltypes.Array{Elem: sqltypes.OID}
		argNames := sqltypes.Array{Elem: sqltypes.Text}
		optional := 0
		for _, p := range r.Params {
			types.Items = append(types.Items, int64(p.Type))
			argNames.Items = append(argNames.Items, p.Name)
			if !p.Required {
				optional++
			}
		}
		out = append(out, []any{oidv(RoutineOID(r.Name)), r.SQLName(), oidv(NamespacePublic), oidv(OwnerRole), int64(12), float64(100), float64(0),
			int64(0), int64(0), "p", false, false, false,
			false, "v", "u", int64(len(r.Params)), int64(optional), int64(uint32(sqltypes.Void)), // a procedure without OUT parameters returns void
			types, nil, nil, argNames, nil,
			nil, "stripe: " + r.Name, nil, nil, nil, nil})
	}
	return out
}

func descriptionRows(c *Catalog) [][]any {
	var out [][]any
	for _, t := range c.Tables() {
		if t.Description != "" {
			out = append(out, []any{oidv(t.OID), oidv(ClassPgClass), int64(0), t.Description})
		}
		for i, col := range t.Columns {
			if col.Description != "" {
				out = append(out, []any{oidv(t.OID), oidv(ClassPgClass), int64(i + 1), col.Description})
			}
		}
	}
	for _, r := range Routines() {
		if r.Description != "" {
			out = append(out, []any{oidv(RoutineOID(r.Name)), oidv(ClassPgProc), int64(0), r.Description})
		}
	}
	return append(out, []any{oidv(extensionPlpgsql), oidv(classPgExtension), int64(0), plpgsqlDescription})
}

// plpgsqlDescription is the comment PostgreSQL's plpgsql extension carries (psql's \dx shows it).
const plpgsqlDescription = "PL/pgSQL procedural language"

func databaseRows(*Catalog) [][]any {
	return [][]any{{oidv(DatabaseOID), DatabaseName, oidv(OwnerRole), int64(6), "c", false, true,
		int64(-1), int64(0), int64(0), int64(1663), "C", "C",
		nil, nil, nil}}
}

func settingsRows(*Catalog) [][]any {
	if rows := registeredSettingRows(); rows != nil { // settings.go
		return rows
	}
	set := func(name, value, desc string) []any {
		return []any{name, value, nil, "stripesql", desc, nil, "user", "string", "default", nil, nil, nil, value, value, nil, nil, false}
	}
	return [][]any{
		set("server_version", ServerVersion, "shows the server version"),
		set("server_version_num", ServerVersionNum, "shows the server version as an integer"),
		set("server_encoding", "UTF8", "shows the server (database) character set encoding"),
		set("client_encoding", "UTF8", "sets the client's character set encoding"),
		set("DateStyle", "ISO, MDY", "sets the display format for date and time values"),
		set("TimeZone", "UTC", "sets the time zone for displaying and interpreting time stamps"),
		set("standard_conforming_strings", "on", "causes '...' strings to treat backslashes literally"),
		set("integer_datetimes", "on", "shows whether datetimes are integer based"),
		set("max_identifier_length", "63", "shows the maximum identifier length"),
		set("max_index_keys", "32", "shows the maximum number of index keys"),
		set("search_path", `"$user", public`, "sets the schema search order for names that are not schema-qualified"),
	}
}

func indexRows(c *Catalog) [][]any {
	var out [][]any
	for _, t := range c.Tables() {
		if !hasPrimaryKey(t) {
			continue
		}
		key := sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(1)}}
		out = append(out, []any{oidv(PrimaryKeyOID(t)), oidv(t.OID), int64(1), int64(1), true, false,
			true, false, true, false, true,
			false, true, true, false, key,
			sqltypes.Array{Elem: sqltypes.OID, Items: []any{int64(collationDefault)}}, sqltypes.Array{Elem: sqltypes.OID, Items: []any{int64(3126)}},
			sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(0)}}, nil, nil})
	}
	return out
}

// ForeignKey is a reference from a column holding a Stripe id (an expandable field such as
// charges.customer) to the table of that object. Stripe enforces these references itself; the
// catalog shows them as foreign keys so BI tools and ER diagrams know how tables join.
type ForeignKey struct {
	Table  *Table
	Column int // index into Table.Columns
	Ref    *Table
}

// Name is the constraint's name, PostgreSQL's default spelling: charges_customer_fkey.
func (fk ForeignKey) Name() string {
	return fk.Table.Name + "_" + fk.Table.Columns[fk.Column].Name + "_fkey"
}

// OID is the constraint's stable OID.
func (fk ForeignKey) OID() uint32 { return StableOID(fk.Table.Schema + "." + fk.Name()) }

// Def is pg_get_constraintdef's text.
func (fk ForeignKey) Def() string {
	return "FOREIGN KEY (" + expr.QuoteIdent(fk.Table.Columns[fk.Column].Name) + ") REFERENCES " + fk.Ref.Name + "(id)"
}

// ForeignKeys lists the references between Stripe tables: each expandable text column whose name,
// made plural, is a table with an id (customer → customers, payment_intent → payment_intents).
func (c *Catalog) ForeignKeys() []ForeignKey {
	var out []ForeignKey
	for _, t := range c.Tables() {
		if t.Rows != nil {
			continue
		}
		for i, col := range t.Columns {
			if !col.Expandable || col.Type != sqltypes.Text {
				continue
			}
			plural := col.Name + "s"
			if strings.HasSuffix(col.Name, "y") {
				plural = strings.TrimSuffix(col.Name, "y") + "ies"
			}
			if ref, ok := c.Lookup("public", plural); ok && hasPrimaryKey(ref) {
				out = append(out, ForeignKey{Table: t, Column: i, Ref: ref})
			}
		}
	}
	return out
}

func constraintRows(c *Catalog) [][]any {
	var out [][]any
	for _, fk := range c.ForeignKeys() {
		out = append(out, []any{oidv(fk.OID()), fk.Name(), oidv(NamespaceOID(fk.Table.Schema)), "f", false, false, true,
			oidv(fk.Table.OID), int64(0), oidv(PrimaryKeyOID(fk.Ref)), int64(0), oidv(fk.Ref.OID), "a", "a",
			"s", true, int64(0), true, sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(fk.Column + 1)}}, sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(1)}},
			nil, nil, nil, nil, nil, nil})
	}
	for _, t := range c.Tables() {
		if !hasPrimaryKey(t) {
			continue
		}
		out = append(out, []any{oidv(PrimaryKeyOID(t)), t.Name + "_pkey", oidv(NamespaceOID(t.Schema)), "p", false, false, true,
			oidv(t.OID), int64(0), oidv(PrimaryKeyOID(t)), int64(0), int64(0), " ", " ",
			" ", true, int64(0), true, sqltypes.Array{Elem: sqltypes.Int2, Items: []any{int64(1)}}, nil,
			nil, nil, nil, nil, nil, nil})
	}
	return out
}

func pgTablesRows(c *Catalog) [][]any {
	var out [][]any
	for _, t := range c.Tables() {
		out = append(out, []any{t.Schema, t.Name, OwnerName, nil, hasPrimaryKey(t), false, false, false})
	}
	return out
}

func pgIndexesRows(c *Catalog) [][]any {
	var out [][]any
	for _, t := range c.Tables() {
		if hasPrimaryKey(t) {
			out = append(out, []any{t.Schema, t.Name, t.Name + "_pkey", nil, IndexDef(t)})
		}
	}
	return out
}

// IndexDef is pg_get_indexdef of a table's primary-key index.
func IndexDef(t *Table) string {
	return "CREATE UNIQUE INDEX " + t.Name + "_pkey ON " + t.Schema + "." + t.Name + " USING btree (id)"
}

func schemataRows(*Catalog) [][]any {
	var out [][]any
	for _, s := range schemas {
		out = append(out, []any{DatabaseName, s.name, OwnerName, nil, nil, nil, nil})
	}
	return out
}

func isTablesRows(c *Catalog) [][]any {
	var out [][]any
	for _, t := range c.Tables() {
		typ := "BASE TABLE"
		if t.Rows != nil {
			typ = "VIEW"
		}
		insertable := t.Create != nil
		out = append(out, []any{DatabaseName, t.Schema, t.Name, typ, nil, nil, nil, nil, nil, yesNo(insertable), "NO", nil})
	}
	return out
}

func isColumnsRows(c *Catalog) [][]any {
	var out [][]any
	for _, t := range c.Tables() {
		for i, col := range t.Columns {
			dataType := sqltypes.FormatType(col.Type)
			udt := sqltypes.Typname(col.Type)
			if sqltypes.IsArray(col.Type) {
				dataType = "ARRAY"
			}
			var precision, radix, scale, dtPrecision any
			switch col.Type {
			case sqltypes.Int2:
				precision, radix, scale = int64(16), int64(2), int64(0)
			case sqltypes.Int4, sqltypes.OID:
				precision, radix, scale = int64(32), int64(2), int64(0)
			case sqltypes.Int8:
				precision, radix, scale = int64(64), int64(2), int64(0)
			case sqltypes.Float4:
				precision, radix = int64(24), int64(2)
			case sqltypes.Float8:
				precision, radix = int64(53), int64(2)
			case sqltypes.Numeric:
				radix = int64(10)
			case sqltypes.Timestamptz, sqltypes.Timestamp, sqltypes.Interval:
				dtPrecision = int64(6)
			case sqltypes.Date:
				dtPrecision = int64(0)
			}
			notNull := i == 0 && col.Name == "id" && t.Rows == nil
			updatable := t.Update != nil
			var octets any
			if col.Type == sqltypes.Text || col.Type == sqltypes.Varchar {
				octets = int64(1 << 30) // PostgreSQL's limit for a value without a length, in UTF8
			}
			out = append(out, []any{DatabaseName, t.Schema, t.Name, col.Name, int64(i + 1),
				nil, yesNo(!notNull), dataType, nil,
				octets, precision, radix, scale,
				dtPrecision, nil, nil, nil,
				nil, nil, nil, nil,
				nil, nil, nil, nil, DatabaseName,
				"pg_catalog", udt, nil, nil, nil,
				nil, strconvItoa(i + 1), "NO", "NO",
				nil, nil, nil, nil,
				nil, "NO", "NEVER", nil,
				yesNo(updatable)})
		}
	}
	return out
}

func isRoutinesRows(*Catalog) [][]any {
	spec, _ := pg15Spec("information_schema", "routines")
	var out [][]any
	for _, r := range Routines() {
		specific := r.SQLName() + "_" + uintString(RoutineOID(r.Name))
		out = append(out, namedRow(spec, map[string]any{
			"specific_catalog": DatabaseName, "specific_schema": "public", "specific_name": specific,
			"routine_catalog": DatabaseName, "routine_schema": "public", "routine_name": r.SQLName(), "routine_type": "PROCEDURE",
			"routine_body": "EXTERNAL", "external_language": "STRIPE", "parameter_style": "GENERAL",
			"is_deterministic": "NO", "sql_data_access": "MODIFIES", "schema_level_routine": "YES",
			"max_dynamic_result_sets": int64(0), "security_type": "INVOKER", "as_locator": "NO", "is_udt_dependent": "NO",
		}))
	}
	return out
}

func isParametersRows(*Catalog) [][]any {
	spec, _ := pg15Spec("information_schema", "parameters")
	var out [][]any
	for _, r := range Routines() {
		specific := r.SQLName() + "_" + uintString(RoutineOID(r.Name))
		for i, p := range r.Params {
			var def any
			if !p.Required {
				def = "NULL::" + sqltypes.FormatType(p.Type)
			}
			out = append(out, namedRow(spec, map[string]any{
				"specific_catalog": DatabaseName, "specific_schema": "public", "specific_name": specific,
				"ordinal_position": int64(i + 1), "parameter_mode": "IN", "is_result": "NO", "as_locator": "NO",
				"parameter_name": p.Name, "data_type": sqltypes.FormatType(p.Type),
				"udt_catalog": DatabaseName, "udt_schema": "pg_catalog", "udt_name": sqltypes.Typname(p.Type),
				"dtd_identifier": strconvItoa(i + 1), "parameter_default": def,
			}))
		}
	}
	return out
}

func isKeyColumnRows(c *Catalog) [][]any {
	var out [][]any
	for _, fk := range c.ForeignKeys() {
		t := fk.Table
		out = append(out, []any{DatabaseName, t.Schema, fk.Name(), DatabaseName, t.Schema, t.Name, t.Columns[fk.Column].Name, int64(1), int64(1)})
	}
	for _, t := range c.Tables() {
		if hasPrimaryKey(t) {
			out = append(out, []any{DatabaseName, t.Schema, t.Name + "_pkey", DatabaseName, t.Schema, t.Name, "id", int64(1), nil})
		}
	}
	return out
}

func isTableConstraintRows(c *Catalog) [][]any {
	var out [][]any
	for _, fk := range c.ForeignKeys() {
		t := fk.Table
		out = append(out, []any{DatabaseName, t.Schema, fk.Name(), DatabaseName, t.Schema, t.Name, "FOREIGN KEY", "NO", "NO", "NO", nil})
	}
	for _, t := range c.Tables() {
		if hasPrimaryKey(t) {
			out = append(out, []any{DatabaseName, t.Schema, t.Name + "_pkey", DatabaseName, t.Schema, t.Name, "PRIMARY KEY", "NO", "NO", "YES", nil})
		}
	}
	return out
}

func isConstraintColumnRows(c *Catalog) [][]any {
	var out [][]any
	for _, fk := range c.ForeignKeys() {
		out = append(out, []any{DatabaseName, fk.Ref.Schema, fk.Ref.Name, "id", DatabaseName, fk.Table.Schema, fk.Name()})
	}
	for _, t := range c.Tables() {
		if hasPrimaryKey(t) {
			out = append(out, []any{DatabaseName, t.Schema, t.Name, "id", DatabaseName, t.Schema, t.Name + "_pkey"})
		}
	}
	return out
}

func uintString(u uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return string(b[i:])
}

// Default is the catalog `stripesql serve` and the driver use: every Stripe table and every
// system table.
func Default() *Catalog {
	return New(append(append(StripeTables(), SystemTables()...), FlowTables()...)...)
}

func strconvItoa(i int) string { return uintString(uint32(i)) }
